"""Scoring a run: retrieval and answer metrics, pooling several suites, and the gate."""
