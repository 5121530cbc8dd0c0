"""The `rag` command line: asking, searching, serving, and the index commands."""
