"""Blocks and sentences: the typed units a document is cut into (paragraph, heading, list item,
code, table), their plain reading, and sentence splitting with exact spans."""
