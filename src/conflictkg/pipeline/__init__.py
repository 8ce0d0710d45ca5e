"""The stages that make a release: sources → evidence → validate → reason → release."""
