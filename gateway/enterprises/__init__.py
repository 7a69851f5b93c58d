"""Enterprises: who may act for an organisation, read from Enhetsregisteret."""
