"""Request quotas shared by every gateway process: fixed-window counters in the database."""
