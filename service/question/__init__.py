"""Reading the question: its validation, terms, intent and the values it asks for."""
