"""The scale cost curve: a synthetic corpus of any size, its measurement and plot."""
