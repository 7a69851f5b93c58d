"""Derived answers: a yes or no computed from registry data the bank never sees."""
