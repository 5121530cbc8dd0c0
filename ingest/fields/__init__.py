"""Fields read from a document's text: title, bylines, dates, and names."""
