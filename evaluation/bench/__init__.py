"""Benchmarks: latency, load, embedding, indexing, documents, Ray, and the scale curve."""
