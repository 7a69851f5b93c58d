"""The consent domain: catalogue, consent lifecycle, policy, audit log, receipts and storage.

This package speaks no HTTP and imports no other room of the project.
"""
