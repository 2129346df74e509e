"""HTTP handlers by docs section: they only read the call, ask the domain and shape data."""
