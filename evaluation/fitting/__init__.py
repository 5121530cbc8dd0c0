"""Fitting the models on fit suites only: the sentence ranker, abstention, and tuning."""
