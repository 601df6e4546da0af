"""Scenario lab: saved scenarios per municipality, runs in a background worker, comparisons."""
