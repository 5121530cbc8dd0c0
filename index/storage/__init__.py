"""The index on disk: versions and their store, the manifest, layouts and tables, recovery and
retention."""
