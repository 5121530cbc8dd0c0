"""Cases: a suite's questions and expected evidence, the registry of suites (corpus and role), and
locating evidence in the documents."""
