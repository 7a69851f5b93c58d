"""The authorization server: Authlib's core with FAPI 2.0 parts (PAR, DPoP, RAR) of our own.

One module per RFC: `client_assertion` (RFC 7523 private_key_jwt), `dpop`
(RFC 9449), `authorization_details` (RFC 9396), `metadata` (RFC 8414);
one grant per module under `grants/`.
"""
