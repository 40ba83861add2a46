"""Tokens: verification of incoming JWTs (RFC 8725) and minting of our own."""
