"""The query service: the engine (question -> hits -> cited answer) and the ways in: the HTTP app
and page (http/, web/) and the `rag` command line (cli/)."""
