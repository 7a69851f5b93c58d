"""Registering bank and agency clients: service, admin API and the organisation check."""
