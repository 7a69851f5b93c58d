"""Consents: the record a citizen's answer creates, its lifecycle, and its events."""
