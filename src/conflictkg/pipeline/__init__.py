"""The stages that make a release: sources → (linking) → evidence → validate → reason → release."""


class PipelineError(Exception):
    """A build stage refused its input; the message is meant for the person who wrote that input."""
