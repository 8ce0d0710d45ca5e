"""Synthetic news reports: their text, and the events, claims, casualty reports and spans it supports.

Each report describes one military operation around a real city and a handful of sub-events in the
invented places below it (captures, recaptures that reverse an earlier capture, attacks, bombings,
killings with casualty figures, clashes, contested control). Every statement is a sentence of the
report text; its evidence span gives code-point offsets into the project's data/article.txt, to which
the report text is appended, with the exact words and up to 32 code points of context each side.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from conflictkg.synthetic.terms import (
    RDF_TYPE, RDFS_LABEL, XSD_DATE, XSD_NNI, Term, TripleWriter, iri, lang, name, string, typed,
)
from conflictkg.synthetic.world import POPULATION_GROUPS, Force, Locality, Outlet, World

FIRST_DAY = date(2017, 1, 1)
LAST_DAY = date(2024, 12, 31)
"""Synthetic events fall in these years, far from the article's 16–17 January 2016."""

CONTEXT = 32
"""Code points of oa:prefix / oa:suffix (docs/architecture.md)."""

SEPARATOR = "\n\n"
"""Written before each report text in data/article.txt."""

CORPUS = name("article", "syn-corpus")
REPORT_URL = "https://example.org/conflictkg-synthetic/report/"
"""Invented (example.org is reserved for examples): the upstream reports do not exist."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

P = {key: name(prefix, local) for key, (prefix, local) in {
    "agent": ("ckg", "agent"), "target": ("ckg", "target"), "place": ("ckg", "place"),
    "subEventOf": ("ckg", "subEventOf"), "timeExpression": ("ckg", "timeExpression"),
    "date": ("ckg", "date"), "dateResolvedFrom": ("ckg", "dateResolvedFrom"),
    "casualtyReport": ("ckg", "casualtyReport"), "evidence": ("ckg", "evidence"),
    "reverses": ("ckg", "reverses"), "claimedBy": ("ckg", "claimedBy"), "reportedIn": ("ckg", "reportedIn"),
    "reportedTo": ("ckg", "reportedTo"), "quotation": ("ckg", "quotation"), "about": ("ckg", "about"),
    "count": ("ckg", "count"), "quantifier": ("ckg", "quantifier"), "victimGroup": ("ckg", "victimGroup"),
    "hasSource": ("oa", "hasSource"), "hasSelector": ("oa", "hasSelector"), "exact": ("oa", "exact"),
    "prefix": ("oa", "prefix"), "suffix": ("oa", "suffix"), "start": ("oa", "start"), "end": ("oa", "end"),
    "url": ("schema", "url"), "datePublished": ("schema", "datePublished"), "publisher": ("schema", "publisher"),
    "author": ("schema", "author"), "wasDerivedFrom": ("prov", "wasDerivedFrom"),
}.items()}
C = {key: name(prefix, local) for key, (prefix, local) in {
    "MilitaryOperation": ("ckg", "MilitaryOperation"), "Capture": ("ckg", "Capture"),
    "Recapture": ("ckg", "Recapture"), "Attack": ("ckg", "Attack"), "Bombing": ("ckg", "Bombing"),
    "Killing": ("ckg", "Killing"), "ArmedClash": ("ckg", "ArmedClash"),
    "ContestedControl": ("ckg", "ContestedControl"), "Claim": ("ckg", "Claim"),
    "CasualtyReport": ("ckg", "CasualtyReport"), "SpecificResource": ("oa", "SpecificResource"),
    "TextQuoteSelector": ("oa", "TextQuoteSelector"), "TextPositionSelector": ("oa", "TextPositionSelector"),
    "NewsArticle": ("schema", "NewsArticle"), "Entity": ("prov", "Entity"),
}.items()}

QUANTIFIERS: tuple[tuple[str, str], ...] = (
    ("Exactly", "{n}"), ("AtLeast", "at least {n}"), ("MoreThan", "more than {n}"),
    ("Approximately", "around {n}"), ("Dozens", "dozens of"), ("Several", "several"),
)
SUB_EVENT_KINDS: tuple[tuple[str, float], ...] = (
    ("Capture", 0.24), ("Recapture", 0.14), ("Attack", 0.15), ("Bombing", 0.12), ("Killing", 0.12),
    ("ArmedClash", 0.17), ("ContestedControl", 0.06),
)


@dataclass
class Control:
    """The last capture of a place: which event, by which force, on which day."""

    event: Term
    force: int
    day: date


@dataclass
class Counts:
    """What was generated, per class, for the summary and the tests."""

    by_class: dict[str, int] = field(default_factory=dict)
    reports: int = 0
    spans: int = 0
    text_length: int = 0

    def add(self, key: str, n: int = 1) -> None:
        self.by_class[key] = self.by_class.get(key, 0) + n


@dataclass
class Writers:
    """One TripleWriter per output Turtle file (all share the N-Triples file)."""

    events: TripleWriter
    claims: TripleWriter
    spans: TripleWriter
    reports: TripleWriter


class ReportText:
    """A report's text being written sentence by sentence, remembering each sentence's span."""

    def __init__(self, offset: int) -> None:
        self.offset = offset  # code points in data/article.txt before this report's separator
        self.text = SEPARATOR
        self.spans: list[tuple[int, int]] = []  # local (start, end) of each sentence

    def add(self, sentence: str, paragraph: bool = False) -> int:
        """Append a sentence; return its span index."""
        if len(self.text) > len(SEPARATOR):
            self.text += "\n\n" if paragraph else " "
        start = len(self.text)
        self.text += sentence
        self.spans.append((start, len(self.text)))
        return len(self.spans) - 1

    def span_iri(self, index: int) -> Term:
        start, end = self.spans[index]
        return name("span", f"{self.offset + start}-{self.offset + end}")

    def write_spans(self, out: TripleWriter) -> None:
        for start, end in self.spans:
            s, e = self.offset + start, self.offset + end
            span = name("span", f"{s}-{e}")
            quote, position = name("span", f"{s}-{e}/quote"), name("span", f"{s}-{e}/position")
            out.subject(span, [
                (RDF_TYPE, C["SpecificResource"]),
                (RDFS_LABEL, string(f"Evidence span {s}–{e} of the synthetic corpus")),
                (P["hasSource"], CORPUS),
                (P["hasSelector"], quote), (P["hasSelector"], position),
            ])
            out.subject(quote, [
                (RDF_TYPE, C["TextQuoteSelector"]),
                (P["exact"], string(self.text[start:end])),
                (P["prefix"], string(self.text[max(0, start - CONTEXT):start])),
                (P["suffix"], string(self.text[end:end + CONTEXT])),
            ] if end < len(self.text) else [
                (RDF_TYPE, C["TextQuoteSelector"]),
                (P["exact"], string(self.text[start:end])),
                (P["prefix"], string(self.text[max(0, start - CONTEXT):start])),
            ])
            out.subject(position, [
                (RDF_TYPE, C["TextPositionSelector"]),
                (P["start"], typed(str(s), XSD_NNI)),
                (P["end"], typed(str(e), XSD_NNI)),
            ])


def _day_text(day: date, rng: random.Random, previous: date | None) -> str:
    if previous is not None and day - previous == timedelta(days=1) and rng.random() < 0.5:
        return "the following day"
    style = rng.randrange(3)
    if style == 0:
        return f"on {WEEKDAYS[day.weekday()]}"
    if style == 1:
        return f"on {day.day} {MONTHS[day.month - 1]}"
    return f"on the morning of {day.day} {MONTHS[day.month - 1]}"


def _actor(slug: str) -> Term:
    return name("actor", slug)


class ReportGenerator:
    """Writes reports one after the other; memory stays bounded by the number of places."""

    def __init__(self, world: World, rng: random.Random, writers: Writers, total_events: int) -> None:
        self.world = world
        self.rng = rng
        self.out = writers
        self.total = total_events
        self.counts = Counts()
        self.control: dict[int, Control] = {}
        self.events = 0
        self.reports = 0
        self.day_span = (LAST_DAY - FIRST_DAY).days

    def _event_iri(self) -> Term:
        self.events += 1
        return name("event", f"syn-{self.events:06d}")

    def _agent(self, force: Force) -> tuple[Term, str]:
        if force.units and self.rng.random() < 0.5:
            slug, label, _ = self.rng.choice(force.units)
            return _actor(slug), label
        return _actor(force.slug), force.label

    def write_report(self, offset: int, budget: int) -> str:
        """Write one report of at most ``budget`` events starting at ``offset``; return its text chunk."""
        rng, world = self.rng, self.world
        self.reports += 1
        number = self.reports
        report = name("report", f"syn-{number:06d}")
        outlet: Outlet = rng.choice(world.outlets)
        reporter = rng.choice(outlet.reporters)
        a, b = rng.sample(range(len(world.forces)), 2)
        force, enemy = world.forces[a], world.forces[b]
        city = rng.choice(world.cities)
        places = world.localities_by_city[city.geonameid]
        progress = min(self.events, self.total) / max(1, self.total)
        day = FIRST_DAY + timedelta(days=int(progress * self.day_span))
        text = ReportText(offset)
        headline = f"{force.label} pushes against {enemy.label} around {city.name}"
        text.add(headline)

        op = self._event_iri()
        op_when = _day_text(day, rng, None)
        lead = text.add(f"The {force.label} launched an offensive against the {enemy.label} around {city.name} "
                        f"{op_when}, {outlet.label} reported.", paragraph=True)
        self._event(op, "MilitaryOperation", f"{force.label} offensive around {city.name}",
                    agents=[_actor(force.slug)], targets=[_actor(enemy.slug)], place=name("place", city.slug),
                    parent=None, when=(op_when, day), report=report, span=text.span_iri(lead))
        self._claim(op, 1, text.span_iri(lead), _actor(outlet.slug), report,
                    f"{outlet.label}: {force.label} offensive around {city.name}", about=[op])

        previous = day
        sub_events = min(budget - 1, rng.randint(3, 6))
        for _ in range(sub_events):
            day += timedelta(days=rng.choice((0, 0, 1)))
            previous = self._sub_event(text, op, force, enemy, places, outlet, report, day, previous)
            day = max(day, previous)

        self.counts.reports += 1
        published = day + timedelta(days=1)
        self.out.reports.subject(report, [
            (RDF_TYPE, C["NewsArticle"]), (RDF_TYPE, C["Entity"]),
            (RDFS_LABEL, lang(headline)),
            (P["url"], iri(f"{REPORT_URL}{number:06d}")),
            (P["datePublished"], typed(published.isoformat(), XSD_DATE)),
            (P["publisher"], _actor(outlet.slug)),
            (P["author"], _actor(reporter[0])),
        ])
        self.out.reports.subject(CORPUS, [(P["wasDerivedFrom"], report)])
        text.write_spans(self.out.spans)
        self.counts.spans += len(text.spans)
        return text.text

    def _sub_event(self, text: ReportText, op: Term, force: Force, enemy: Force, places: list[Locality],
                   outlet: Outlet, report: Term, day: date, previous: date) -> date:
        rng = self.rng
        kinds, weights = zip(*SUB_EVENT_KINDS)
        kind = rng.choices(kinds, weights)[0]
        forces = self.world.forces
        force_index = forces.index(force)
        place = rng.choice(places)
        if kind == "Recapture":
            held = [p for p in places if p.number in self.control and self.control[p.number].force != force_index]
            if held:
                place = rng.choice(held)
            else:
                kind = "Capture"
        event = self._event_iri()
        place_iri = name("place", place.slug)
        agent, agent_label = self._agent(force)
        speaker = rng.choice(force.people)
        witness = rng.choice(enemy.people)
        dated = kind in ("Capture", "Recapture") or rng.random() < 0.7
        if kind == "Recapture":
            day = max(day, self.control[place.number].day)
        when = _day_text(day, rng, previous) if dated else ""
        at = f" {when}" if when else ""
        quote_mark = rng.random() < 0.5
        claimant: Term = _actor(outlet.slug)
        quotation: str | None = None
        reported_to: Term | None = None
        casualty: tuple[str, str, int | None, str, str] | None = None
        agents, targets = [agent], [_actor(enemy.slug)]

        if kind == "Capture" and rng.random() < 0.3:  # a counter-attack: the enemy takes a place
            force_index = forces.index(enemy)
            agent, agent_label = self._agent(enemy)
            agents, targets = [agent], [_actor(force.slug)]
            label = f"{agent_label} captures {place.label}"
            sentence = f"The {agent_label} seized {place.label}{at} in a counter-attack, {outlet.label} reported."
        elif kind == "Capture":
            label = f"{agent_label} captures {place.label}"
            if quote_mark:
                quotation = f"Our forces took full control of {place.label}{at}."
                sentence = f"{speaker[1]}, {speaker[2]}, told {outlet.label}: “{quotation}”"
                claimant, reported_to = _actor(speaker[0]), _actor(outlet.slug)
            else:
                sentence = f"Fighters of the {agent_label} overran {place.label}{at}, {outlet.label} reported."
        elif kind == "Recapture":
            before = self.control[place.number]
            targets = [_actor(forces[before.force].slug)]  # taken back from whoever held it
            label = f"{agent_label} recaptures {place.label}"
            sentence = (f"The {agent_label} recaptured {place.label} from the {forces[before.force].label}{at}, "
                        f"according to {outlet.label}.")
        elif kind == "Attack":
            label = f"{agent_label} attacks {enemy.label} positions in {place.label}"
            sentence = f"The {agent_label} attacked positions of the {enemy.label} in {place.label}{at}."
        elif kind == "ArmedClash":
            label = f"Clashes between {force.label} and {enemy.label} near {place.label}"
            agents, targets = [_actor(force.slug), _actor(enemy.slug)], []
            sentence = f"Fierce clashes broke out between the {force.label} and the {enemy.label} near {place.label}{at}."
        elif kind == "ContestedControl":
            label = f"{place.label} contested between {force.label} and {enemy.label}"
            agents, targets = [_actor(force.slug), _actor(enemy.slug)], []
            quotation = f"{place.label} changed hands several times{at}"
            sentence = f"“{quotation},” said {witness[1]}, {witness[2]}."
            claimant = _actor(witness[0])
        else:  # Bombing or Killing, with a casualty figure
            quantifier, pattern = rng.choice(QUANTIFIERS)
            count = rng.randint(2, 180) if "{n}" in pattern else None
            group_slug, group = rng.choice(POPULATION_GROUPS)
            space = "\u00a0" if rng.random() < 0.3 else " "
            amount = pattern.format(n=count) + space + group
            if kind == "Bombing":
                label = f"{agent_label} car bombing in {place.label}"
                targets = []
                sentence = f"A car bomb set off by the {agent_label} exploded in {place.label}{at}, killing {amount}."
            else:
                label = f"{agent_label} kills {group} in {place.label}"
                targets = [_actor(group_slug)]
                quotation = f"The {agent_label} killed {amount} in {place.label}{at}"
                sentence = f"“{quotation},” said {witness[1]}, {witness[2]}."
                claimant = _actor(witness[0])
            casualty = (quantifier, group_slug, count, f"{amount} killed", group)

        span = text.span_iri(text.add(sentence, paragraph=rng.random() < 0.3))
        casualty_iri = name("casualty", f"syn-{self.events:06d}") if casualty else None
        self._event(event, kind, label, agents=agents, targets=targets, place=place_iri, parent=op,
                    when=(when, day) if dated else None, report=report, span=span,
                    casualty=casualty_iri,
                    reverses=self.control[place.number].event if kind == "Recapture" else None)
        about = [event]
        if casualty and casualty_iri:
            quantifier, group_slug, count, casualty_label, _ = casualty
            pairs = [(RDF_TYPE, C["CasualtyReport"]), (RDFS_LABEL, lang(casualty_label))]
            if count is not None:
                pairs.append((P["count"], typed(str(count), XSD_NNI)))
            pairs += [(P["quantifier"], name("ckg", quantifier)), (P["victimGroup"], _actor(group_slug)),
                      (P["claimedBy"], claimant), (P["evidence"], span)]
            self.out.events.subject(casualty_iri, pairs)
            self.counts.add("CasualtyReport")
            about.append(casualty_iri)
        self._claim(event, 1, span, claimant, report, f"Claim: {label}", about=about,
                    quotation=quotation, reported_to=reported_to)
        if kind in ("Capture", "Recapture"):
            self.control[place.number] = Control(event, force_index, day)
        return day if dated else previous

    def _event(self, event: Term, kind: str, label: str, *, agents: list[Term], targets: list[Term],
               place: Term, parent: Term | None, when: tuple[str, date] | None, report: Term, span: Term,
               casualty: Term | None = None, reverses: Term | None = None) -> None:
        pairs = [(RDF_TYPE, C[kind]), (RDFS_LABEL, lang(label))]
        pairs += [(P["agent"], a) for a in agents]
        pairs += [(P["target"], t) for t in targets]
        pairs.append((P["place"], place))
        if parent is not None:
            pairs.append((P["subEventOf"], parent))
        if when is not None:
            expression, day = when
            pairs += [(P["timeExpression"], lang(expression)), (P["date"], typed(day.isoformat(), XSD_DATE)),
                      (P["dateResolvedFrom"], report)]
        if casualty is not None:
            pairs.append((P["casualtyReport"], casualty))
        if reverses is not None:
            pairs.append((P["reverses"], reverses))
        pairs.append((P["evidence"], span))
        self.out.events.subject(event, pairs)
        self.counts.add(kind)

    def _claim(self, event: Term, index: int, span: Term, claimant: Term, report: Term, label: str, *,
               about: list[Term], quotation: str | None = None, reported_to: Term | None = None) -> None:
        claim = name("claim", f"{event[0].rsplit('/', 1)[1][:-1]}-{index}")
        pairs = [(RDF_TYPE, C["Claim"]), (RDFS_LABEL, lang(label)), (P["claimedBy"], claimant),
                 (P["reportedIn"], report)]
        if reported_to is not None:
            pairs.append((P["reportedTo"], reported_to))
        if quotation is not None:
            pairs.append((P["quotation"], lang(quotation)))
        pairs += [(P["about"], a) for a in about]
        pairs.append((P["evidence"], span))
        self.out.claims.subject(claim, pairs)
        self.counts.add("Claim")
