"""Consent events pushed to banks as signed Security Event Tokens (RFC 8417, RFC 8935)."""
