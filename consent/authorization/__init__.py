"""Authorization-server state: used one-time identifiers and issued access tokens."""
