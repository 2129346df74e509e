"""All state: the tables and the bytes of uploaded objects."""
