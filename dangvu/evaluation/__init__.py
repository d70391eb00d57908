"""Evaluation and grading: rounds (yearly or quarterly) of self-assessment, cell proposal and committee decision."""
