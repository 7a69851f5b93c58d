"""The tamper-evident audit log: typed events, appended in the caller's transaction."""
