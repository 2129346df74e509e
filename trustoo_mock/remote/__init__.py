"""The tools that talk to the real Trustoo: the contract check and clone."""
