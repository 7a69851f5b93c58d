"""Access tokens and the request dependencies that demand them."""
