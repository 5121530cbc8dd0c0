"""Held-out campaigns: the service beside simple baselines, on the same questions and indexes."""
