"""Corpus changes: planning what a folder or an upload changes, and applying it to the folder and
the index."""
