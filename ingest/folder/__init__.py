"""The corpus folder as a managed store: metadata, the change journal, managed uploads and the
reading budget."""
