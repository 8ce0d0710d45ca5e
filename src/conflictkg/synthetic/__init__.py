"""Seeded synthetic data at scale, in the project's ontology: ``generate(out, events, seed=...)``.

See ``project.py`` for what a generated project holds and ``reports.py`` for what a report says.
"""

from conflictkg.synthetic.project import GenerateError, Generated, generate

__all__ = ["GenerateError", "Generated", "generate"]
