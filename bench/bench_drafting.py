"""Precision and recall of `conflictkg draft`'s rules per kind, on the invented test reports.

    python bench/bench_drafting.py [--verbose]

The reports and gold annotations are test material (tests/fixtures/reports/); the lexicon is the
project's own graph (data/) and the default gazetteer, as `conflictkg draft` uses them. The rules were
developed on tests/fixtures/reports/*.txt; tests/fixtures/reports/heldout/ was written and annotated
before the rules first ran on it, so its first figures are the honest ones; heldout2/ was written
and annotated before the rules saw it and fixed since; heldout3/ was written after the last change
to the rules and is left untuned.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conflictkg.gazetteer.sources import load_gazetteer
from conflictkg.ingest.draft import lexicon_of, project_graph
from conflictkg.ingest.evaluation import KINDS, combine, load_gold, score
from conflictkg.ingest.extract import Lexicon

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "tests" / "fixtures" / "reports"


def measure(directory: Path, lexicon: Lexicon, verbose: bool) -> None:
    """Print the table for the reports of ``directory`` (each ``<name>.txt`` with ``gold/<name>.json``)."""
    per_report = []
    for gold_file in sorted((directory / "gold").glob("*.json")):
        text = (directory / f"{gold_file.stem}.txt").read_text(encoding="utf-8")
        published, gold = load_gold(text, gold_file)
        per_report.append(score(text, published, gold, lexicon))
    total = combine(per_report)
    print(f"\n{directory.relative_to(ROOT)}: {len(per_report)} test reports")
    print("| kind | gold | predicted | correct | precision | recall |")
    print("|---|---|---|---|---|---|")
    for kind in (*KINDS, "place-id"):
        s = total[kind]
        print(f"| {kind} | {s.gold} | {s.predicted} | {s.true_positives} | {s.precision:.2f} | {s.recall:.2f} |")
        if verbose:
            for miss in s.misses:
                print(f"    miss  {miss}")
            for alarm in s.false_alarms:
                print(f"    false {alarm}")


def main() -> None:
    verbose = "--verbose" in sys.argv
    lexicon = lexicon_of(project_graph(ROOT), load_gazetteer([], with_default=True))
    measure(REPORTS, lexicon, verbose)
    measure(REPORTS / "heldout", lexicon, verbose)
    measure(REPORTS / "heldout2", lexicon, verbose)
    measure(REPORTS / "heldout3", lexicon, verbose)


if __name__ == "__main__":
    main()
