"""HTTP content negotiation: Accept headers with q-values, media-type aliases and a ``format`` override.

Shared by the SPARQL endpoint and the linked-data pages so that one URL answers every client with the
form it asks for. Real clients send q-values (Jena: ``application/sparql-results+json,
application/sparql-results+xml;q=0.9, ..., */*;q=0.1``) and loose aliases (SPARQLWrapper asks for
``application/turtle``): both must land on a format we write. A missing, empty or unreadable Accept
header means "anything", and the server's first (preferred) format answers. Hostile headers are
bounded: only the first ``MAX_RANGES`` ranges of a header up to ``MAX_ACCEPT_LENGTH`` characters count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ACCEPT_LENGTH = 8192
"""Longer Accept headers are ignored (treated as ``*/*``) rather than parsed."""

MAX_RANGES = 64
"""Ranges beyond this many in one header are ignored."""

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*$")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype`` (either may be ``*``) with its quality."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range names ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != mtype:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == msub else -1


@dataclass(frozen=True)
class Format:
    """A representation the server can write: its canonical media type, aliases and short names.

    ``aliases`` are other media types clients use for the same bytes (``application/turtle``);
    ``short_names`` are accepted by the ``format`` parameter (``ttl``).
    """

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    charset: bool = False

    @property
    def content_type(self) -> str:
        """The Content-Type header value (with ``charset=utf-8`` for text types)."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


class NotAcceptable(Exception):
    """Nothing the client accepts can be written; carries the supported media types for the 406 body."""

    def __init__(self, supported: Sequence[str], asked: str) -> None:
        self.supported = list(supported)
        self.asked = asked
        super().__init__(f"cannot produce {asked!r}; supported: {', '.join(self.supported)}")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header, skipping malformed ranges; empty list means "no preference"."""
    if not header or len(header) > MAX_ACCEPT_LENGTH:
        return []
    ranges: list[MediaRange] = []
    for part in header.split(",")[:MAX_RANGES]:
        media, *params = part.split(";")
        match = _RANGE.match(media)
        if match is None:
            continue
        mtype, msub = match.group(1).lower(), match.group(2).lower()
        if mtype == "*" and msub != "*":
            continue
        q = _quality(params)
        if q is None:
            continue
        ranges.append(MediaRange(mtype, msub, q))
    return ranges


def _quality(params: list[str]) -> float | None:
    """The q parameter (default 1); None when it is malformed, so the range is ignored."""
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.match(value) else None
    return 1.0


def preference(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of the most specific range naming it."""
    best_specificity, best_q = -1, 0.0
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity > best_specificity:
            best_specificity, best_q = specificity, media_range.q
    return best_q


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format:
    """Pick the format the client prefers; ties go to the server's order. Raises NotAcceptable."""
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in formats:
        q = max(preference(ranges, media) for media in (fmt.media_type, *fmt.aliases))
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable([f.media_type for f in formats], accept or "")
    return best


def by_parameter(value: str, formats: Sequence[Format]) -> Format:
    """Resolve a ``format`` parameter (short name or media type) against ``formats``."""
    wanted = value.strip().lower()
    for fmt in formats:
        if wanted == fmt.name or wanted in fmt.short_names or wanted == fmt.media_type or wanted in fmt.aliases:
            return fmt
    raise NotAcceptable([f.media_type for f in formats], value)


def choose(accept: str | None, format_parameters: Sequence[str], formats: Sequence[Format]) -> Format:
    """The format to answer with: the first usable ``format`` parameter if any is given, else Accept.

    Several values are allowed because SPARQLWrapper sends both a short name and a media type.
    """
    values = [v for v in format_parameters if v.strip()]
    for value in values:
        try:
            return by_parameter(value, formats)
        except NotAcceptable:
            continue
    if values:
        raise NotAcceptable([f.media_type for f in formats], ", ".join(values))
    return negotiate(accept, formats)
