"""One build: load → review drafts → link → check evidence → validate → reason → derive → re-validate →
write the release.

Each stage raises a PipelineError subclass with a message for the data author; nothing is written
unless every stage passed, and the release directory is swapped in atomically (release.publish).

Linking (issue 4) slots in after loading: a ``LinkStep`` receives the loaded sources and returns the
triples to add to the links graph, which are then validated, reasoned over and published like the
curated links.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox
import rdflib_turbo
from rdflib import Graph, URIRef

from conflictkg.datasets.changes import RELEASES_DIR, archive, previous_release, write_changes
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.background import Background, BackgroundError, Mailbox, forks
from conflictkg.pipeline.derive import derived_triples
from conflictkg.pipeline.progress import Meter, Progress, Stages, quiet
from conflictkg.pipeline.reason import Rules, Unsupported, infer
from conflictkg.pipeline.shacl_cache import CACHE_DIR, ValidationCache, input_key
from conflictkg.pipeline.reports import apply_review, check_checksums
from conflictkg.pipeline.release import Release, ReleaseContent, ReleaseError, timestamp, write_release
from conflictkg.pipeline.sources import FilePart, NTriplesPart, Part, ProjectFiles, SourceError, Sources, load
from conflictkg.pipeline.validate import (
    Validation,
    ValidationFailed,
    native_dataset,
    require_conformance,
    validate,
    validate_native,
)
from conflictkg.vocab import (
    DERIVED_GRAPH,
    INFERRED_GRAPH,
    LINKS_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    release_graphs,
)

LinkStep = Callable[[Sources], Graph]
"""A linker: given the loaded project, the triples to add to the links graph."""

Engines = Literal["fast", "reference"]
"""``fast``: pyshacl-turbo on a native dataset and the compiled OWL RL rules (the build's default);
``reference``: pySHACL and owlrl on rdflib graphs, the engines the fast ones are proven against."""

_EPOCH = re.compile(r"[0-9]{1,20}")
_KEPT = " (unchanged since a build that validated it: kept by checksum, pipeline.shacl_cache)"


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible-builds.org), so a rebuild can keep its date.

    The specification asks a build to fail on a malformed value rather than fall back to the clock:
    a release silently stamped "now" would not be the reproducible one that was asked for. An empty
    value counts as unset.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(tz=UTC).replace(microsecond=0)
    if not _EPOCH.fullmatch(epoch):
        raise PipelineError(
            f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds since 1970-01-01 "
            "(ASCII digits only); unset it or give e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
        )
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise PipelineError(f"SOURCE_DATE_EPOCH={epoch[:40]!r} is beyond the dates this build can write") from None


def link(sources: Sources, linkers: Sequence[LinkStep]) -> None:
    """Add each linker's triples to the links graph, recording the linker as their origin."""
    for linker in linkers:
        name = getattr(linker, "__qualname__", None) or type(linker).__name__
        sources.add(LINKS_GRAPH, linker(sources), f"linker {name}")


def _validate(sources: Sources, data_graphs: Sequence[URIRef]) -> Validation:
    """SHACL over the union of ``data_graphs`` with the loaded shapes and ontology (pySHACL)."""
    return validate(
        [sources.graph(iri) for iri in data_graphs],
        sources.graph(SHAPES_GRAPH),
        sources.graph(ONTOLOGY_GRAPH),
        sources.origins_of,
    )


def statement_graphs(sources: Sources) -> tuple[URIRef, ...]:
    """The asserted graphs that hold statements: data, links, each report's and each import's (not the
    ontology or the shapes): what is validated and reasoned over."""
    return tuple(g for g in sources.asserted_graphs() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH))


def validate_asserted(sources: Sources, engines: Engines = "fast") -> Validation:
    """SHACL over the statement graphs with the ontology; what `conflictkg validate` runs."""
    statements = statement_graphs(sources)
    if engines == "reference":
        return _validate(sources, statements)
    dataset = native_dataset(sources, (ONTOLOGY_GRAPH, *statements))
    return validate_native(dataset, sources.graph(SHAPES_GRAPH), sources.origins_for)


def _rule_inferences(sources: Sources, meter: Meter | None) -> tuple[bytes, int]:
    """The OWL RL consequences by the compiled rules, as N-Triples, and how many (raises Unsupported)."""
    rules = Rules.of(sources.graph(ONTOLOGY_GRAPH))
    data = (t for iri in statement_graphs(sources) for t in sources.ox_triples(iri))
    inferred = rules.infer(sources.ox_triples(ONTOLOGY_GRAPH), data, meter)
    return ox.serialize(inferred, format=ox.RdfFormat.N_TRIPLES), len(inferred)


def _reason(sources: Sources, stages: Stages, rules: Background[tuple[bytes, int]] | None) -> int:
    """Add the OWL RL consequences to the inferred graph (the rules' if they cover the ontology and the
    data, else owlrl's); return how many there are."""
    if rules is not None:
        try:
            ntriples, count = rules.result()
        except Unsupported as why:
            stages.progress(f"OWL RL: {why}; the rule reasoner does not cover it, using owlrl (slow)")
        else:
            sources.add_ntriples(INFERRED_GRAPH, ntriples, count, "OWL RL reasoner")
            return count
    graph = infer([sources.graph(iri) for iri in (ONTOLOGY_GRAPH, *statement_graphs(sources))])
    sources.add(INFERRED_GRAPH, graph, "OWL RL reasoner")
    return len(graph)


def _derive(sources: Sources) -> int:
    """Add the derived graph (casualty bounds, source grades; pipeline.derive); return its size.

    Derivation streams the statement and inferred graphs once and keeps only the few predicates it
    reads, as pyoxigraph terms: an rdflib copy of them cost a minute at millions of triples.
    """
    data = (t for iri in (*statement_graphs(sources), INFERRED_GRAPH) for t in sources.ox_triples(iri))
    derived = derived_triples(data)
    sources.add_ntriples(DERIVED_GRAPH, ox.serialize(derived, format=ox.RdfFormat.N_TRIPLES), len(derived),
                         "derivation rules (pipeline.derive)")
    return len(derived)


def build(
    root: Path | str = ".",
    out: Path | str | None = None,
    *,
    linkers: Sequence[LinkStep] = (),
    progress: Progress = quiet,
    created: datetime | None = None,
    engines: Engines = "fast",
    stages: Stages | None = None,
    publish_drafts: bool = False,
    reason: str = "",
    releases: Path | str | None = None,
) -> Release:
    """Build the project at ``root`` into the release directory ``out`` (default ``root/dist``).

    ``created`` stamps the release; by default build_time(), so SOURCE_DATE_EPOCH makes it repeatable.
    Unreviewed drafted statements stop the build unless ``publish_drafts`` moves them to graphs of
    their own, outside the default graph (pipeline.reports).
    Each stage is timed in ``stages`` (a fresh one by default); the table goes to ``progress`` at the end.
    The release records its changes since the previous one with ``reason`` (datasets.changes) and is
    kept in ``releases`` (default: ``releases/`` beside ``out``) as ``<version>/``.
    """
    root = Path(root)
    out = Path(out) if out is not None else root / "dist"
    releases = Path(releases) if releases is not None else out.parent / RELEASES_DIR
    stages = stages if stages is not None else Stages(progress)
    stages.progress = progress
    try:
        with _batch_collection():
            release = _build(root, out, linkers, created, engines, stages, publish_drafts, reason, releases)
    finally:
        if stages.timings:
            progress(stages.summary())
    return release


_BATCH_THRESHOLDS = (100_000, 50, 100)
"""The garbage collector's thresholds while a build runs (Python's are 700, 10, 10)."""


@contextmanager
def _batch_collection() -> Iterator[None]:
    """Collect garbage less often while the build runs (the process's forked stages too), as batch jobs
    that allocate millions of long-lived objects do; the thresholds are restored afterwards.

    The build makes few cycles but millions of containers (the rules' and derivation's sets, the
    validator's parse), and with Python's thresholds the collector walked them again and again: about
    60 s of the build's CPU at 10⁵ events, measured with the collector off (the rules alone 39 s → 28 s
    with these thresholds). With :func:`_settle`, what earlier stages made is not walked at all.
    """
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.set_threshold(*_BATCH_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen:  # what the caller froze before stays frozen (with what the build added to it)
            gc.unfreeze()


def _settle() -> None:
    """Leave everything made so far out of later garbage collections (gc.freeze) until the build ends:
    the build keeps what it loaded, inferred and derived to the end. Frozen objects are still freed when
    nothing refers to them; :func:`_batch_collection` unfreezes them when the build returns."""
    gc.freeze()


def _build(root: Path, out: Path, linkers: Sequence[LinkStep], created: datetime | None, engines: Engines,
           stages: Stages, publish_drafts: bool, reason: str, releases: Path) -> Release:
    progress = stages.progress
    # the native dataset for SHACL is built from the data files by a forked process while this one loads,
    # links and checks the evidence; it validates there too (_Validator)
    validator = _Validator.speculating(root, out) if engines == "fast" and forks() else None
    try:
        with stages.stage("load"):
            sources = load(root, progress)
        _settle()
        progress(f"loaded {sources.size(*sources.asserted_graphs()):,} triples from "
                 f"{len(list(sources.files.graph_files()))} files")
        with stages.stage("review"):
            check_checksums(sources)
            review = apply_review(sources, publish_drafts)
        if sources.files.reports:
            progress(f"reports: {len(sources.files.reports)} registered, drafted statements {review.accepted} "
                     f"accepted, {review.rejected} rejected, {review.unreviewed} published unreviewed")
        with stages.stage("link"):
            link(sources, linkers)
        with stages.stage("evidence"):
            spans = sources.spans.require_match(sources.article, sources.texts)
    except BaseException:
        if validator is not None:
            validator.cancel()
        raise
    progress(f"evidence: {spans:,} spans match their documents")
    statements = statement_graphs(sources)
    rules = None
    if engines == "fast":  # the rules run in a forked process while SHACL holds this one's GIL
        sources.graph(ONTOLOGY_GRAPH)  # built before the fork: one set of blank node labels in both
        meter = stages.meter("reason", sources.size(*statements), "triples")
        rules = Background(partial(_rule_inferences, sources, meter))
    cache = ValidationCache(out.parent / CACHE_DIR)
    key = input_key(sources, statements) if engines == "fast" else ""
    kept = {name: cache.get(key, name, sources.origins_for) for name in ("asserted", "inferred")} if key else {}
    gate = _Gate(cache, key, progress)
    derived_parts: Mailbox[list[Part] | None] | None = None
    try:
        with stages.stage("validate"):
            progress(f"SHACL ({engines}): validating {sources.size(*statements):,} triples…")
            if engines == "reference":
                gate.first = require_conformance(_validate(sources, statements))
                progress("SHACL: asserted data conforms")
            else:
                gate.first, gate.second = kept["asserted"], kept["inferred"]
                if gate.first is not None:
                    progress("SHACL: asserted data conforms" + _KEPT)
                wanted = gate.first is None or gate.second is None
                if validator is not None and wanted:
                    validator.start(sources, statements, gate.first is None, gate.second is None)
                elif validator is not None:
                    validator.cancel()
                    validator = None
                if validator is not None:
                    gate.first = gate.first or _Outcome(validator, 0)
                    gate.second = gate.second or _Outcome(validator, 1)
                elif wanted:
                    shapes = sources.graph(SHAPES_GRAPH)
                    dataset = native_dataset(sources, (ONTOLOGY_GRAPH, *statements))
                    if gate.first is None:
                        # the first pass needs nothing from reasoning: a forked child validates the
                        # asserted data while this process reasons, derives and starts the second pass
                        gate.first = Background(partial(validate_native, dataset, shapes, sources.origins_for),
                                                eager=True)
        with stages.stage("reason"):
            count = _reason(sources, stages, rules)
        _settle()
        progress(f"OWL RL: {count:,} inferred triples")
        if validator is not None:
            validator.inferred(sources.content(INFERRED_GRAPH))
        elif engines == "fast" and gate.second is None:
            # a second child adds the inferences to its copy of the dataset while this process derives,
            # then the derived graph (handed over below) and validates everything while this process
            # writes the release (into a directory of its own, published only once both passes conform:
            # see _Gate)
            derived_parts = Mailbox()
            gate.second = Background(partial(_second_pass, dataset, sources, shapes, derived_parts))
        with stages.stage("derive"):
            derived = _derive(sources)
        _settle()
        progress(f"derived: {derived:,} casualty bounds and source grades")
        with stages.stage("re-validate"):
            if engines == "reference":
                gate.second = require_conformance(_validate(sources, (*statements, INFERRED_GRAPH, DERIVED_GRAPH)))
            elif validator is not None:
                validator.derived(sources.content(DERIVED_GRAPH))
            elif derived_parts is not None:
                derived_parts.put(_as_ntriples(sources.content(DERIVED_GRAPH)))
            gate.kept_second = engines == "fast" and kept["inferred"] is not None
            if validator is None and engines == "fast" and (kept["asserted"] is None or kept["inferred"] is None):
                del dataset  # the children keep their copies; this process writes the release
                _return_freed_memory()
        with stages.stage("write release"):
            version = sources.files.version()
            created = created or build_time()
            previous = previous_release(out, releases, version)
            content = ReleaseContent(
                dataset=None,
                article=sources.files.article.read_bytes(),
                validation=gate.report,
                version=version,
                created=created,
                queries={path.name: path.read_bytes() for path in sources.files.queries},
                graphs={iri: partial(_written, sources, iri, validator.prepared if validator is not None else None)
                        for iri in release_graphs(g for g in sources.graph_iris() if sources.size(g))},
                reports={report.slug: report.text.read_bytes() for report in sources.files.reports},
                extras=partial(_record_changes, previous=previous, version=version, created=created, reason=reason),
                progress=progress,
            )
            release = write_release(out, content)
            kept = archive(out, releases)
    except BaseException as failure:
        if rules is not None:
            rules.cancel()
        if validator is not None:
            validator.stop()
        try:
            gate.fail(failure)
        finally:
            if validator is not None:
                validator.close()
            if derived_parts is not None:
                derived_parts.close()  # the second pass was stopped by gate.fail
        raise
    if validator is not None:
        validator.close()
    progress(f"wrote release {release.version} to {out}; kept as {kept}")
    return release


class _Validator:
    """The native dataset and both SHACL passes of a fast build, in a forked process started before
    loading: the dataset (half a minute at 10⁵ events) is parsed from the data files on the machine's
    other core while this process loads, links and checks the evidence, instead of after them.

    What the files will turn out to hold is not known yet: the process parses every statement file
    (not gzipped) speculatively. :meth:`start` hands over what the dataset must hold (each file, or
    N-Triples for what is held in memory: the ontology, what linking added), the sources' parts (for the
    files named in results) and the shapes, and which passes to run (a pass kept by checksum is not run
    again); the speculation is kept if it parsed exactly the files wanted, else the dataset is built
    again. :meth:`inferred` and :meth:`derived` hand over what the second pass adds. Both outcomes come
    back together; a first pass that does not conform stops the second at once.
    """

    def __init__(self, files: ProjectFiles | None, scratch: Path) -> None:
        self._inbox: Mailbox[object] = Mailbox()
        self._sent = self._expected = 0
        _sweep(scratch)
        self.prepared = Path(tempfile.mkdtemp(prefix=f"{_PREPARED}{os.getpid()}-", dir=scratch))
        """Where the process leaves the statement files as N-Triples for the release (see :func:`_written`),
        beside the release: a build killed before removing it leaves it for the next build to remove."""
        self._process = Background(partial(_validate_in_background, files, self._inbox, self.prepared))
        self._outcome: tuple[Validation | None, Validation | None] | None = None

    @classmethod
    def speculating(cls, root: Path, out: Path) -> _Validator:
        """A validator parsing the statement files of the project at ``root`` (none if it has an error:
        loading reports it), for the release ``out``."""
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls(ProjectFiles.locate(root), out.parent)
        except SourceError:
            return cls(None, out.parent)

    def start(self, sources: Sources, statements: Sequence[URIRef], first: bool, second: bool) -> None:
        """Hand over the dataset of the ontology and ``statements``, the parts and shapes, and start the
        passes wanted."""
        plan = [part.path if _parsed_from_file(part) else part.ntriples()  # type: ignore[union-attr]
                for iri in (ONTOLOGY_GRAPH, *statements) for part in sources.content(iri)]
        parts = [(iri, replace(part, types=None, subjects=None) if isinstance(part, FilePart) else part)
                 for iri, graph_parts in sources.parts.items() for part in _as_ntriples(graph_parts)]
        shapes = _as_ntriples(sources.content(SHAPES_GRAPH))
        self._expected = 3 if second else 1
        self._send((plan, parts, shapes, first, second))

    def inferred(self, parts: list[Part]) -> None:
        """Hand over the inferred graph (the second pass parses it while the build derives)."""
        if self._expected == 3:
            self._send(_as_ntriples(parts))

    def derived(self, parts: list[Part]) -> None:
        """Hand over the derived graph: the second pass validates once it has it."""
        if self._expected == 3:
            self._send(_as_ntriples(parts))

    def _send(self, item: object) -> None:
        self._inbox.put(item)
        self._sent += 1

    def stop(self) -> None:
        """Nothing more will be handed over: the passes not started yet are not run."""
        if self._sent < max(self._expected, 1):
            self._send(None)
            self._expected = self._sent

    def outcome(self) -> tuple[Validation | None, Validation | None]:
        """Both passes' validations (None for a pass not run); waits for them."""
        if self._outcome is None:
            self._outcome = self._process.result()
        return self._outcome

    def cancel(self) -> None:
        """End the process and its passes now (the build was interrupted, or does not need them)."""
        self.close()

    def close(self) -> None:
        """End the process if it still runs, remove what it left unread and the N-Triples for the release."""
        self._process.cancel()
        self._inbox.close()
        shutil.rmtree(self.prepared, ignore_errors=True)


def _parsed_from_file(part: Part) -> bool:
    """True for a part the native dataset reads from its file (native_dataset)."""
    return isinstance(part, FilePart) and not part.path.name.endswith(".gz")


def _as_ntriples(parts: list[Part]) -> list[Part]:
    """Parts to hand to another process, files as they are and the others as N-Triples: an rdflib graph
    does not survive pickling as it is (its literals come back with their lexical forms normalised,
    where pipeline.terms keeps them as written)."""
    return [part if isinstance(part, (FilePart, NTriplesPart)) else NTriplesPart(part.ntriples(), part.origin, part.triples)
            for part in parts]


class _Outcome:
    """One pass of a :class:`_Validator`, as the gate waits for it."""

    def __init__(self, validator: _Validator, index: int) -> None:
        self._validator, self._index = validator, index

    def result(self) -> Validation:
        outcome = self._validator.outcome()[self._index]
        if outcome is None:
            raise BackgroundError("the validation was stopped before this pass ran")
        return outcome

    def cancel(self) -> None:
        if self._index == 1:
            self._validator.stop()
        else:
            self._validator.cancel()


def _validate_in_background(files: ProjectFiles | None, inbox: Mailbox[object], prepared: Path
                            ) -> tuple[Validation | None, Validation | None]:
    """A :class:`_Validator`'s process: the dataset (speculatively parsed first), the statement files as
    N-Triples for the release while the build still links, then the first pass in a child of its own
    while the second waits for the inferred and derived graphs."""
    dataset, parsed = _speculative_dataset(files)
    for path in parsed:
        _prepare(path, prepared)
    order = inbox.get()
    if order is None or files is None:
        return None, None
    plan, parts, shapes_parts, first_wanted, second_wanted = order  # type: ignore[misc]
    done = set(parsed)
    if sorted(entry for entry in plan if isinstance(entry, Path) and entry in done) != parsed:
        dataset, done = rdflib_turbo.Dataset(), set()  # not each file parsed once: build it again
    for entry in plan:
        if not isinstance(entry, Path):
            dataset.parse(data=entry, format="nt")
        elif entry not in done:
            dataset.parse(str(entry), format="turtle", publicID=entry.resolve().as_uri())
    sources = Sources(files=files, article="")
    for iri, part in parts:
        sources.append(iri, part)
    shapes = Sources(files=files, article="", parts={SHAPES_GRAPH: shapes_parts}).graph(SHAPES_GRAPH)
    first = (Background(partial(validate_native, dataset, shapes, sources.origins_for), eager=True)
             if first_wanted else None)
    inferred = inbox.get() if second_wanted else None
    second = None
    if inferred is not None:
        for part in inferred:  # type: ignore[attr-defined]
            sources.append(INFERRED_GRAPH, part)
        second = Background(partial(_second_pass, dataset, sources, shapes, inbox), eager=True)
    outcome = first.result() if first is not None else None
    if outcome is not None and not outcome.conforms:
        if second is not None:
            second.cancel()
        return outcome, None
    return outcome, second.result() if second is not None else None


_PREPARED = ".conflictkg-ntriples-"


def _sweep(scratch: Path) -> None:
    """Remove what killed builds left in ``scratch`` (their process is gone)."""
    for left in scratch.glob(f"{_PREPARED}*"):
        pid = left.name[len(_PREPARED):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prepared_name(path: Path, prepared: Path) -> Path:
    return prepared / (hashlib.sha256(str(path).encode()).hexdigest() + ".nq")


def _prepare(path: Path, prepared: Path) -> None:
    """Leave a statement file as FilePart.ntriples gives it in ``prepared`` (renamed into place when
    complete): the release reads it there instead of parsing the file again."""
    target = _prepared_name(path, prepared)
    partial_file = target.with_suffix(".part")
    try:
        partial_file.write_bytes(FilePart(path, "", 0).ntriples())
        partial_file.rename(target)
    except (OSError, SyntaxError):  # the build parses the file itself (and reports what is wrong)
        return


def _written(sources: Sources, iri: URIRef, prepared: Path | None) -> bytes:
    """The named graph ``iri`` as N-Triples (Sources.ntriples), each file the validating process left
    prepared read from there."""
    chunks = []
    for part in sources.content(iri):
        ready = _prepared_name(part.path, prepared) if prepared is not None and isinstance(part, FilePart) else None
        chunks.append(ready.read_bytes() if ready is not None and ready.is_file() else part.ntriples())
    return b"".join(chunks)


def _speculative_dataset(files: ProjectFiles | None) -> tuple[rdflib_turbo.Dataset, list[Path]]:
    """A native dataset of the project's statement files that are not gzipped, as native_dataset reads
    a file, and the files parsed (sorted); nothing if one does not parse (loading will say why). The
    ontology is left to the plan: it is a file or, with blank nodes, N-Triples of its rdflib graph."""
    dataset = rdflib_turbo.Dataset()
    if files is None:
        return dataset, []
    paths = [path for iri, path in files.graph_files()
             if iri not in (ONTOLOGY_GRAPH, SHAPES_GRAPH) and not path.name.endswith(".gz")]
    try:
        for path in paths:
            dataset.parse(str(path), format="turtle", publicID=path.resolve().as_uri())
    except Exception:  # noqa: BLE001 - a file loading refuses: the build stops there
        return rdflib_turbo.Dataset(), []
    return dataset, sorted(paths)


def _return_freed_memory() -> None:
    """Hand the native dataset's freed memory back to the system (glibc keeps it otherwise: at 100 k
    events the release would be written beside ~3 GB of freed but resident SHACL memory)."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        return


def _second_pass(dataset: rdflib_turbo.Dataset, sources: Sources, shapes: Graph, derived: Mailbox[Any]) -> Validation | None:
    """SHACL over the asserted data's native dataset with the inferred and derived graphs added.

    Started once the inferences are complete, before derivation: the derived graph's parts arrive by
    ``derived`` while the inferences are parsed (a minute of work at 10⁵ events), and join this copy of
    ``sources`` too, so that results name their files as if it had started after derivation. None if
    the build stopped instead of handing them over.
    """
    for part in sources.content(INFERRED_GRAPH):
        dataset.parse(data=part.ntriples(), format="nt")
    parts = derived.get()
    if parts is None:
        return None
    for part in parts:
        sources.append(DERIVED_GRAPH, part)
        dataset.parse(data=part.ntriples(), format="nt")
    return validate_native(dataset, shapes, sources.origins_for)


Pending = Background[Validation] | Background[Validation | None] | _Outcome
"""A pass still running: in a forked child of its own, or in a :class:`_Validator`'s process."""


def _pending(outcome: Validation | Pending | None) -> bool:
    return outcome is not None and not isinstance(outcome, Validation)


class _Gate:
    """The two SHACL passes (before and after OWL RL) as the release needs them: each a Validation, or a
    forked child still computing it while the release is written.

    :meth:`report` (called by the release writer before the manifest, pipeline.release) waits for both,
    raises ValidationFailed unless both conform, the first pass first (the author fixes the asserted
    data first), keeps conforming outcomes by checksum and gives the first pass's report
    (validation.ttl). Until it returns, nothing is published: the release directory is a fresh one,
    swapped in only once it is complete.
    """

    def __init__(self, cache: ValidationCache, key: str, progress: Progress) -> None:
        self.first: Validation | Pending | None = None
        self.second: Validation | Pending | None = None
        self.kept_second = False
        self._cache, self._key, self._progress = cache, key, progress

    def report(self) -> Graph:
        first, second = self.first, self.second
        assert first is not None and second is not None, "both passes are started before the release"
        if _pending(first):
            try:
                self.first = first = first.result()
            finally:
                if not isinstance(self.first, Validation) or not self.first.conforms:
                    self._cancel_second()
            require_conformance(first)
            if self._key:
                self._cache.put(self._key, "asserted", first)
            self._progress("SHACL: asserted data conforms")
        if _pending(second):
            self.second = second = require_conformance(second.result())
            if self._key:
                self._cache.put(self._key, "inferred", second)
        self._progress("SHACL: asserted + inferred data conforms" + (_KEPT if self.kept_second else ""))
        return first.report

    def _cancel_second(self) -> None:
        if _pending(self.second):
            self.second.cancel()

    def fail(self, failure: BaseException) -> None:
        """After ``failure``: stop the passes still running; raise the first pass's ValidationFailed if
        the asserted data does not conform, whatever failed later."""
        self._cancel_second()
        first = self.first
        if not _pending(first):
            return
        if not isinstance(failure, Exception):  # interrupted: stop the child, do not wait for it
            first.cancel()
            return
        try:
            outcome = first.result()
        except Exception:  # the later failure is the one to report
            first.cancel()
            return
        if not outcome.conforms:
            raise ValidationFailed(outcome) from None


def _record_changes(directory: Path, previous: Path | None, version: str, created: datetime, reason: str) -> str:
    """Write changes/ into the release being written; return the line that sums them up."""
    changes = write_changes(directory, previous, version, timestamp(created), reason)
    return (f"changes since {changes.previous or 'nothing (first release)'}: +{sum(changes.added.values())} "
            f"-{sum(changes.removed.values())} triples, {len(changes.vanished)} IRIs vanished")


def is_current(root: Path | str, out: Path | str) -> bool:
    """True when ``out`` holds a release built from the inputs ``root`` has now.

    ``conflictkg serve`` rebuilds otherwise, so that an edited data file is never served stale. With no
    project under ``root`` (a release copied elsewhere), an existing release is current by definition.
    """
    try:
        release = Release.open(out)
    except ReleaseError:
        return False
    try:
        return release.version == ProjectFiles.locate(root).version()
    except SourceError:
        return True
