"""Ingestion: reading a folder of documents (a reader per format), cleaning them into blocks and
sentences with exact character spans, chunking, and embedding (an Embedder per backend)."""
