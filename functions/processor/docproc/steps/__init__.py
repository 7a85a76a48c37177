"""Cleaning steps: one small module per kind of noise, each `str -> StepOutput`."""
