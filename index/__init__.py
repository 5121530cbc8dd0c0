"""The index: building a version (FAISS dense vectors, BM25, per-sentence tables) from ingested
documents, publishing it atomically, loading and verifying it (storage/ holds the on-disk side)."""
