"""`conflictkg draft REPORT`: propose a report's statements as Turtle for a person to review and edit.

The findings of ingest.extract become statements in the project's own patterns (docs/architecture.md):
mentions of places and actors, casualty reports, claims (quotations with speaker and outlet, and the
report's own narration), events typed by their cue with agent, place and resolved date, each resting
on an evidence span ``id/span/<slug>/<start>-<end>`` and naming the rule that proposed it. Every drafted
statement is ``ckg:reviewStatus ckg:Unreviewed``: the build refuses it until a person sets Accepted or
Rejected (pipeline.reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.ingest.extract import (
    ANONYMOUS,
    Finding,
    Lexicon,
    LexiconEntry,
    extract,
    reported_speaker,
    sentence_of,
    sentences,
)
from conflictkg.ingest.register import slugify
from conflictkg.ingest.spans import add_span
from conflictkg.pipeline.sources import DATA_DIR, REPORT_TEXT, REPORTS_DIR, SourceError, parse_turtle, read_text
from conflictkg.vocab import CKG, GEONAMES, ID, SCHEMA, bind_prefixes

DRAFT_FILE = "draft.ttl"


class DraftError(ValueError):
    """The report cannot be drafted (not registered, unreadable metadata); the message says why."""


@dataclass(frozen=True)
class ReportInfo:
    """What drafting needs to know about a registered report."""

    slug: str
    iri: URIRef
    text: str
    published: date
    outlet: URIRef | None


def project_graph(root: Path, exclude: str | None = None) -> Graph:
    """The project's statements as the lexicon sees them: data/*.ttl and every report's Turtle except
    ``exclude``'s draft (so re-drafting does not learn from its own proposals)."""
    graph = Graph()
    files = sorted((root / DATA_DIR).glob("*.ttl"))
    for directory in sorted((root / REPORTS_DIR).glob("*")):
        if directory.is_dir() and not directory.name.startswith("."):
            files.extend(p for p in sorted(directory.glob("*.ttl"))
                         if not (directory.name == exclude and p.name == DRAFT_FILE))
    for path in files:
        for triple in parse_turtle(path):
            graph.add(triple)
    return graph


def lexicon_of(graph: Graph, gazetteer: Gazetteer | None) -> Lexicon:
    """Places and actors of the graph by every label and variant, plus the gazetteer's names."""
    lexicon = Lexicon()
    links: dict[URIRef, str] = {}
    for predicate in (SKOS.exactMatch, SKOS.closeMatch):
        for place, target in sorted(graph.subject_objects(predicate)):
            if str(target).startswith(str(GEONAMES)):
                links.setdefault(place, str(target))  # type: ignore[arg-type]
    for subject in sorted(set(graph.subjects(RDF.type, None)), key=str):
        text = str(subject)
        kind = "place" if text.startswith(str(ID["place/"])) and "/geometry" not in text else \
            "actor" if text.startswith(str(ID["actor/"])) else None
        if kind is None:
            continue
        for predicate in (RDFS.label, SKOS.altLabel, SCHEMA.name):
            for name in graph.objects(subject, predicate):
                lexicon.add(LexiconEntry(str(name), text, kind, links.get(subject)))  # type: ignore[arg-type]
    for alias in ("ISIL", "Daesh", "Islamic State", "IS"):
        lexicon.add(LexiconEntry(alias, str(ID["actor/islamic-state"]), "actor"))
    if gazetteer is not None:
        lexicon.add_gazetteer(gazetteer)
    return lexicon


def report_info(root: Path, slug: str, graph: Graph) -> ReportInfo:
    """The registered report ``slug``: its raw text, publication date and outlet."""
    directory = root / REPORTS_DIR / slug
    text_path = directory / REPORT_TEXT
    if not text_path.is_file():
        raise DraftError(f"no registered report {slug!r} ({text_path} is missing; register it with `conflictkg add`)")
    iri = ID[f"report/{slug}"]
    published = graph.value(iri, SCHEMA.datePublished)
    if published is None:
        raise DraftError(f"{directory}/meta.ttl gives no schema:datePublished for {iri}")
    outlet = graph.value(iri, SCHEMA.publisher)
    return ReportInfo(slug, iri, read_text(text_path), published.toPython(), outlet)  # type: ignore[arg-type]


class _Drafter:
    """Builds the draft graph for one report, one finding at a time."""

    def __init__(self, info: ReportInfo, graph: Graph) -> None:
        self.info = info
        self.known = graph
        self.out = bind_prefixes(Graph())
        self.spans = sentences(info.text)
        self.quotes: list[Finding] = []
        self.actors_by_name: dict[str, URIRef] = {}
        for subject in graph.subjects(RDF.type, None):
            if str(subject).startswith(str(ID["actor/"])):
                for predicate in (RDFS.label, SKOS.altLabel, SCHEMA.name):
                    for name in graph.objects(subject, predicate):
                        self.actors_by_name.setdefault(str(name).lower(), subject)  # type: ignore[arg-type]

    def span(self, start: int, end: int) -> URIRef:
        return add_span(self.out, self.info.slug, self.info.text, start, end)

    def mark(self, node: URIRef, rule: str) -> None:
        self.out.add((node, CKG.reviewStatus, CKG.Unreviewed))
        self.out.add((node, CKG.draftRule, Literal(rule)))

    def actor(self, label: str, cls: URIRef, rule: str, **extra: str) -> URIRef:
        """An actor of the graph with this name, or a drafted new one."""
        known = self.actors_by_name.get(label.lower())
        if known is not None:
            return known
        node = ID[f"actor/{slugify(label) or 'unnamed'}"]
        if (node, RDF.type, None) not in self.out:
            self.out.add((node, RDF.type, cls))
            self.out.add((node, RDFS.label, Literal(label, lang="en")))
            for key, value in extra.items():
                self.out.add((node, SCHEMA[key], Literal(value)))
            self.mark(node, rule)
        return node

    def mention(self, finding: Finding) -> URIRef | None:
        target = finding.attrs.get("iri") or finding.attrs.get("gazetteer")
        if finding.kind == "actor" and target is None:
            target = str(self.actor(str(finding.attrs["name"]), CKG.MilitaryUnit, finding.rule))
        if target is None:
            return None
        node = ID[f"mention/{self.info.slug}/{finding.start}-{finding.end}"]
        self.out.add((node, RDF.type, CKG.Mention))
        self.out.add((node, RDFS.label, Literal(finding.text)))
        self.out.add((node, CKG.mentions, URIRef(str(target))))
        if finding.attrs.get("gazetteer") and finding.attrs.get("iri"):
            self.out.add((node, RDFS.seeAlso, URIRef(str(finding.attrs["gazetteer"]))))
        self.out.add((node, CKG.evidence, self.span(finding.start, finding.end)))
        self.mark(node, finding.rule)
        return URIRef(str(target))

    def group(self, name: str) -> URIRef:
        return self.actor(name, CKG.PopulationGroup, "figure:victim-group")


def _inside(finding: Finding, start: int, end: int) -> bool:
    return start <= finding.start and finding.end <= end


def draft(info: ReportInfo, graph: Graph, lexicon: Lexicon) -> Graph:
    """The draft of one report: every finding as an unreviewed statement with its span and rule."""
    drafter = _Drafter(info, graph)
    findings = extract(info.text, info.published, lexicon)
    quotes = [f for f in findings if f.kind == "quotation"]
    drafter.quotes = quotes
    entities: dict[tuple[int, int], URIRef] = {}
    for finding in findings:
        if finding.kind in ("place", "actor"):
            target = drafter.mention(finding)
            if target is not None:
                entities[(finding.start, finding.end)] = target
    claims: dict[tuple[int, int], URIRef] = {}
    for quote in quotes:
        claims[(quote.start, quote.end)] = _quotation_claim(drafter, quote)
    figures = {}
    for figure in (f for f in findings if f.kind == "figure"):
        figures[(figure.start, figure.end)] = _figure(drafter, figure, quotes, claims)
    dates = [f for f in findings if f.kind == "date"]
    for event in (f for f in findings if f.kind == "event"):
        _event(drafter, event, findings, entities, figures, dates, quotes, claims)
    return drafter.out


def _claimant(drafter: _Drafter, quote: Finding) -> URIRef:
    speaker = quote.attrs.get("speaker")
    if not speaker:
        return drafter.info.iri
    if quote.attrs.get("anonymous") or ANONYMOUS.search(str(speaker)) and not str(speaker)[0].isupper():
        return drafter.actor(f"{speaker} ({drafter.info.slug})", CKG.Person, quote.rule, jobTitle=str(speaker))
    return drafter.actor(str(speaker), CKG.Person, quote.rule, name=str(speaker))


def _quotation_claim(drafter: _Drafter, quote: Finding) -> URIRef:
    node = ID[f"claim/{drafter.info.slug}/{quote.start}-{quote.end}"]
    out = drafter.out
    out.add((node, RDF.type, CKG.Claim))
    speaker = quote.attrs.get("speaker") or "the report"
    out.add((node, RDFS.label, Literal(f"{speaker}: {quote.text[:80]}", lang="en")))
    out.add((node, CKG.claimedBy, _claimant(drafter, quote)))
    out.add((node, CKG.reportedIn, drafter.info.iri))
    out.add((node, CKG.quotation, Literal(quote.text)))
    outlet = quote.attrs.get("outlet")
    if outlet:
        out.add((node, CKG.reportedTo, drafter.actor(str(outlet), CKG.NewsOrganization, quote.rule)))
    out.add((node, CKG.evidence, drafter.span(quote.start, quote.end)))
    drafter.mark(node, quote.rule)
    return node


def _narration(drafter: _Drafter, start: int, end: int) -> URIRef:
    """The claim of a sentence outside quotation marks: by whom it attributes itself to ('X said …',
    '…, he said.', 'according to X'), else by the report itself."""
    node = ID[f"claim/{drafter.info.slug}/{start}-{end}"]
    if (node, RDF.type, CKG.Claim) not in drafter.out:
        sentence = drafter.info.text[start:end]
        named = [q.attrs["speaker"] for q in drafter.quotes
                 if q.end <= start and q.attrs.get("speaker") and not q.attrs.get("anonymous")]
        speaker = reported_speaker(sentence, str(named[-1]) if named else None)
        claimant, rule = drafter.info.iri, "claim:report-narration"
        if speaker is not None:
            claimant = drafter.actor(speaker[0], CKG.Actor, speaker[1])
            rule = speaker[1]
        drafter.out.add((node, RDF.type, CKG.Claim))
        drafter.out.add((node, RDFS.label, Literal(sentence[:100], lang="en")))
        drafter.out.add((node, CKG.claimedBy, claimant))
        drafter.out.add((node, CKG.reportedIn, drafter.info.iri))
        drafter.out.add((node, CKG.evidence, drafter.span(start, end)))
        drafter.mark(node, rule)
    return node


def _claim_for(drafter: _Drafter, finding: Finding, quotes: list[Finding],
               claims: dict[tuple[int, int], URIRef]) -> URIRef:
    for quote in quotes:
        if _inside(finding, quote.start, quote.end):
            return claims[(quote.start, quote.end)]
    start, end = sentence_of(drafter.spans, finding.start)
    return _narration(drafter, start, end)


def _figure(drafter: _Drafter, figure: Finding, quotes: list[Finding], claims: dict[tuple[int, int], URIRef]) -> URIRef:
    node = ID[f"casualty/{drafter.info.slug}/{figure.start}-{figure.end}"]
    out = drafter.out
    claim = _claim_for(drafter, figure, quotes, claims)
    out.add((node, RDF.type, CKG.CasualtyReport))
    out.add((node, RDFS.label, Literal(f"{figure.text} killed", lang="en")))
    if "count" in figure.attrs:
        out.add((node, CKG["count"], Literal(int(figure.attrs["count"]), datatype=XSD.nonNegativeInteger)))  # type: ignore[call-overload]
    out.add((node, CKG.quantifier, CKG[str(figure.attrs["quantifier"])]))
    out.add((node, CKG.victimGroup, drafter.group(str(figure.attrs["group"]))))
    out.add((node, CKG.claimedBy, out.value(claim, CKG.claimedBy)))
    out.add((node, CKG.evidence, drafter.span(figure.start, figure.end)))
    out.add((claim, CKG.about, node))
    drafter.mark(node, figure.rule)
    return node


def _event(drafter: _Drafter, cue: Finding, findings: list[Finding], entities: dict[tuple[int, int], URIRef],
           figures: dict[tuple[int, int], URIRef], dates: list[Finding], quotes: list[Finding],
           claims: dict[tuple[int, int], URIRef]) -> None:
    start, end = sentence_of(drafter.spans, cue.start)
    node = ID[f"event/{drafter.info.slug}/{cue.start}-{cue.end}"]
    out = drafter.out
    cls = str(cue.attrs["class"])
    out.add((node, RDF.type, CKG[cls]))
    in_sentence = [f for f in findings if _inside(f, start, end)]
    text = drafter.info.text
    places = [(f, entities[(f.start, f.end)]) for f in in_sentence
              if f.kind == "place" and (f.start, f.end) in entities and not f.text.isupper()]
    after = [p for f, p in places if f.start > cue.end]
    before_cue = [p for f, p in places if f.end <= cue.start]
    place = after[0] if after else (before_cue[-1] if before_cue else None)
    actors = [(f, entities[(f.start, f.end)]) for f in in_sentence if f.kind == "actor" and (f.start, f.end) in entities]
    before = [a for f, a in actors if f.end <= cue.start]
    by = [a for f, a in actors if f.start > cue.end and " by " in text[cue.end:f.start]]
    agents = [before[-1]] if before else by[:1]
    for agent in agents:
        out.add((node, CKG.agent, agent))
    if place is not None:
        out.add((node, CKG.place, place))
    label_place = f" {out.value(place, RDFS.label) or drafter.known.value(place, RDFS.label) or ''}" if place else ""
    out.add((node, RDFS.label, Literal(f"{cue.text}{label_place} ({drafter.info.slug})".replace("  ", " "), lang="en")))
    when = sorted((d for d in dates if _inside(d, start, end) and not text[d.end:d.end + 2].startswith(" (")),
                  key=lambda d: abs(d.start - cue.start))
    if when:
        out.add((node, CKG.timeExpression, Literal(str(when[0].attrs["expression"]), lang="en")))
        out.add((node, CKG.date, Literal(str(when[0].attrs["date"]), datatype=XSD.date)))
        out.add((node, CKG.dateResolvedFrom, drafter.info.iri))
        out.add((node, RDFS.comment, Literal(f"Date by rule {when[0].rule} from the publication date "
                                             f"{drafter.info.published.isoformat()}.", lang="en")))
    for (f_start, f_end), figure in figures.items():
        if start <= f_start and f_end <= end:
            out.add((node, CKG.casualtyReport, figure))
    if cls == "Recapture" and place is not None:
        reversed_capture = _reversed_capture(drafter, place, agents)
        if reversed_capture is not None:
            out.add((node, CKG.reverses, reversed_capture))
    out.add((node, CKG.evidence, drafter.span(start, end)))
    claim = _claim_for(drafter, cue, quotes, claims)
    out.add((claim, CKG.about, node))
    drafter.mark(node, cue.rule)


def _reversed_capture(drafter: _Drafter, place: URIRef, agents: list[URIRef]) -> URIRef | None:
    """An earlier capture of this place (or one containing it) by another agent, in the graph."""
    containing = {place, *drafter.known.transitive_objects(place, CKG.locatedIn)}
    candidates = []
    for capture in drafter.known.subjects(RDF.type, CKG.Capture):
        if set(drafter.known.objects(capture, CKG.place)) & containing and \
                not set(drafter.known.objects(capture, CKG.agent)) & set(agents):
            candidates.append(capture)
    return sorted(candidates, key=str)[0] if candidates else None


def draft_report(root: Path, slug: str, gazetteer: Gazetteer | None) -> tuple[Path, Graph]:
    """Draft the registered report ``slug`` of the project at ``root`` into its draft.ttl."""
    root = Path(root)
    try:
        graph = project_graph(root, exclude=slug)
    except SourceError as exc:
        raise DraftError(str(exc)) from None
    info = report_info(root, slug, graph)
    result = draft(info, graph, lexicon_of(graph, gazetteer))
    path = root / REPORTS_DIR / slug / DRAFT_FILE
    header = (f"# Draft of report {slug}, proposed by `conflictkg draft` from rules, the gazetteer and the graph's\n"
              "# lexicon. Review every statement: set ckg:reviewStatus to ckg:Accepted (edit it first if needed)\n"
              "# or ckg:Rejected. The build refuses unreviewed statements. Spans count code points of report.txt.\n")
    temporary = path.with_name(f".{DRAFT_FILE}.tmp")
    temporary.write_text(header + result.serialize(format="turtle"), encoding="utf-8")
    temporary.replace(path)
    return path, result
