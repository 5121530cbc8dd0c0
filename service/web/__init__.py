"""The web page for readers: static files served by the same app as the API."""
