"""The Samtykke gateway: the FastAPI application, its authorization server, pages and CLI."""
