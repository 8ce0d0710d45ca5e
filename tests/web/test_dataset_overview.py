"""The landing page's figures (web.dataset_overview): what a COUNT and an ORDER BY … LIMIT query per kind
give, on the fixture release, in memory and on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.store import Store
from conflictkg.vocab import sparql_prologue
from conflictkg.web.dataset_overview import EXAMPLES_PER_KIND, KINDS, overview


def _by_sparql(store: Store) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    counts, examples = [], []
    for kind in KINDS:
        pattern = f"?x a/rdfs:subClassOf* ckg:{kind} . FILTER(isIRI(?x))"
        rows = store.query(f"{sparql_prologue()}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
        counts.append((kind, int(next(iter(rows))["n"].value)))  # type: ignore[arg-type, index]
        rows = store.query(f"{sparql_prologue()}SELECT DISTINCT ?x WHERE {{ {pattern} }} ORDER BY ?x "
                           f"LIMIT {EXAMPLES_PER_KIND}")
        examples.append((kind, tuple(row["x"].value for row in rows)))  # type: ignore[union-attr, index]
    return tuple(counts), tuple(examples)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "on-disk"])
def test_counts_and_examples_are_those_of_count_and_order_by(release_dir: Path, tmp_path: Path,
                                                             in_memory: bool) -> None:
    store = Store.open(release_dir, (), tmp_path / "stores", in_memory=in_memory)
    figures = overview(store)
    counts, examples = _by_sparql(store)
    assert figures.kind_counts == counts
    assert tuple((kind, tuple(iri.value for iri in iris)) for kind, iris in figures.examples) == examples
    assert all(n > 0 for _, n in counts)
    assert any(len(iris) == EXAMPLES_PER_KIND for _, iris in examples)  # a kind with more than a few
    assert dict(figures.graph_triples) == store.graph_sizes()
