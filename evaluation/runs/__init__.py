"""Runs of suites: the runner (in process or over HTTP), the engines per corpus, the benchmarks'
server process and raw HTTP client, and what runs leave behind: reports, plots and the docs'
figures."""
