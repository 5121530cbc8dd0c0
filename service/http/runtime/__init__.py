"""Serving the app: the uvicorn server and its workers, the index lifecycle, the HTTP protocol's
deadlines, and Ray Serve."""
