"""Gazetteer linking: sources, normalisation, matching, linking and reconciliation."""
