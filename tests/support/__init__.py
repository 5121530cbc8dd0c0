"""Helpers every test may import: paths and canonical questions, servers, the `rag` command,
fake embedders, document writers and scratch indexes. Test modules import only from here
(tests/test_layering.py checks it); conftest.py files hold fixtures only."""
