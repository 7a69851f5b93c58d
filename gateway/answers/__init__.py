"""Derived answers: the bank asks a question, the gateway answers with a signed statement."""
