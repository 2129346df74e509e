"""Trustoo's rules in plain Python: no HTTP, no Starlette."""
