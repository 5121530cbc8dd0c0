"""The same articles in the layouts people's files have, and whether answers stay the same."""
