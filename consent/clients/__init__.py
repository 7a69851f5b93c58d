"""Registered API clients: banks that request consent and fetch data, agencies that read the log."""
