"""Retrieval: one strategy per ranked list (strategies.py), one fusion (fuse.py), one mode enum
(modes.py), put together by retrieve.py. Kept free of imports so the mode enum stays cheap."""
