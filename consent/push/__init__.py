"""Push delivery of consent events: the banks' push endpoints and the outbox of deliveries."""
