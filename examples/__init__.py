"""Example applications built on the bank client library (`samtykke_client`)."""
