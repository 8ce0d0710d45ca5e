"""conflictkg: news reports of armed conflict as an evidence-anchored knowledge graph."""

__version__ = "0.1.0"
