"""Standalone stand-ins for the Tax Administration, Brønnøysund and ID-porten."""
