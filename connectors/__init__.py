"""Typed clients for the public registries; nothing else talks to a registry."""
