"""`rag eval`: the command line over suites, BEIR sets and the gate."""
