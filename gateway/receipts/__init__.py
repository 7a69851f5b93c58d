"""Signed consent receipts for citizens and banks, and the keys that verify them."""
