"""Evaluation: suites of labelled questions run against the service and simple baselines, scored,
gated; fitting the models on fit suites only; benchmarks of speed and scale."""
