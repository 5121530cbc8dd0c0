"""Answering: from a query and its ranked passages to a cited answer or an abstention."""
