"""One running fake: the Fake, authentication, webhook delivery, the journal, snapshots."""
