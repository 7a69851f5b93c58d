"""Authorization-server state: used jtis, revoked tokens, pushed requests, authorization codes."""
