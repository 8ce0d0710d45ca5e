"""Planner fixes applied to query texts: required patterns written after an OPTIONAL are moved before
it, and a property path anchored on a constant is written first in its block.

Oxigraph's planner reorders joins only inside a basic graph pattern and never hoists a required pattern
above a left join (oxigraph issues #1951, #1883): in ``{ A OPTIONAL { O } T }`` it evaluates the
OPTIONAL for every solution of ``A`` before ``T`` can narrow them. The control-history query grew
4.5 ms → 398 ms → 48.6 s from 1 k to 100 k events this way, and took 0.12 / 0.58 / 5.2 ms with the
OPTIONAL written last (shared/facts).

The rewrite moves a triples block ``T`` up past an ``OPTIONAL { O }`` only when that cannot change
the answer: ``Join(LeftJoin(A, O, F), T) = LeftJoin(Join(A, T), O, F)`` holds when every variable
``T`` shares with the OPTIONAL (its patterns and its FILTER) is certainly bound by ``A`` — then a
solution of ``T`` agrees with one of ``O`` wherever it agrees with ``A``, and ``F`` sees the same
values. ``A`` counts as binding only the variables of its triples blocks (a triple pattern, path
included, binds every variable in it); a block also moves past FILTERs (group filters apply to the whole
group wherever they are written), and past nothing else: not BIND, VALUES, MINUS, GRAPH, SERVICE,
sub-groups or UNION, whose positions matter or whose bindings are not certain. Every ``{…}`` group is
treated alike, nested ones included.

Oxigraph also breaks ties between equally estimated patterns by their written order, and it starts a
group like ``?capture a ?type . ?type rdfs:subClassOf* ckg:Capture`` from the type triples, evaluating
the path once per row (260 ms at 10 k events, 40 ms with the path first). The triples of a block are a
conjunction, so writing a path pattern with a constant end (``?type rdfs:subClassOf* ckg:Capture``)
first never changes the answer; only such single-triple statements move.

For the embedded store a second set of rules writes Oxigraph's ``LATERAL`` (SEP-0006, a join that
evaluates its right side once per solution of its left, with that solution's values bound). Oxigraph
joins with hash joins whose sides are evaluated on their own, so a small left side still pays for the
whole right side: at 10 k events ``?actor (ckg:unitOf|ckg:memberOf)+ actor:syrian-army ; a ?type ;
rdfs:label ?l`` took 67 ms for 3 rows (0.3 ms as a LATERAL), and ``OPTIONAL { ?capture
ckg:subEventOf* ?datedBy … }`` paired every term of the store with itself before joining (64 ms → 0.5 ms).
The rules:

- *seed*: a required walk from a constant (``constant path+ ?v`` or ``?v path* constant``, in a
  triples block before every OPTIONAL) is written first and the rest of its group becomes
  ``LATERAL { … }``. Walks up ``rdfs:subClassOf``/``subPropertyOf`` do not seed: they end on classes
  whose instances are most of the store, where the hash join measured faster.
- *walk in an OPTIONAL*: ``OPTIONAL { … ?a path* ?b … }`` with ``?a`` or ``?b`` bound by the required
  triples before it becomes ``LATERAL { OPTIONAL { … } }``; so does every OPTIONAL after a seed or a
  pinned variable (below), whose left side is small: a hash join would evaluate the OPTIONAL over the
  whole store (an event page's casualty figures at 100 k events: 103 s → 2 ms).
- *pinned variable*: ``FILTER(?s = <iri>)`` (or ``sameTerm``, ``IN`` a list of IRIs, as a conjunct of
  ``&&``) gets ``VALUES ?s { <iri> }`` at the top of its group, the FILTER kept: Oxigraph evaluates the
  group and filters afterwards (``?s ?p ?o FILTER(?s = <event>)`` scanned the store: 110 ms → 0.1 ms).
  For IRIs ``=`` is ``sameTerm``; the variable must be bound by required triples before any OPTIONAL.

Both keep the answer: a join and a LATERAL give the same solutions when pre-binding a variable
selects exactly the solutions compatible with it, which holds for triples, paths and FILTERs. So the
rules apply only to groups of triples blocks, OPTIONALs and FILTERs, and a pre-bound variable may occur
in an OPTIONAL only at its own level (triples, FILTERs, ``GRAPH <iri> { … }``), never in a nested group,
BIND or VALUES (inside a nested OPTIONAL, pre-binding would turn "no match" into "unbound"). Remote
stores get the standard rules only.

Anything the scanner does not understand (unbalanced brackets) leaves the text unchanged, and a
rewritten text the engine refuses is retried as written (store.Store.query), so a client only ever
sees errors about its own text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from conflictkg.query_tokens import Token, tokenize

_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = set(_OPEN.values())
_MOVABLE_PAST = {"optional", "filter"}
_PLANNABLE = ("triples", "optional", "filter")
"""The elements of a group the LATERAL and VALUES rules apply to (others' positions or bindings matter)."""
ELEMENT_KEYWORDS = ("OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES", "LATERAL")
"""Words that start a group element other than triples (LATERAL: Oxigraph's, in a client's own text)."""


class _Unreadable(Exception):
    """The scanner cannot follow the text: leave it as it is."""


@dataclass
class _Element:
    """One part of a group: its kind, its text (nested groups already rewritten) and its variables."""

    kind: str
    text: str
    variables: set[str] = field(default_factory=set)


@lru_cache(maxsize=2048)
def hoist_required_patterns(query: str) -> str:
    """``query`` with required triples moved before the OPTIONALs they may safely precede and anchored
    paths first in their blocks (or ``query`` itself when nothing moves). Standard SPARQL: any store
    may be sent the result."""
    return _planned(query, oxigraph=False)


@lru_cache(maxsize=2048)
def plan_for_oxigraph(query: str) -> str:
    """``hoist_required_patterns`` plus the LATERAL joins and VALUES above, for Oxigraph's planner
    (SEP-0006's LATERAL is its extension): for the embedded store, never for an external one."""
    return _planned(query, oxigraph=True)


def _planned(query: str, oxigraph: bool) -> str:
    upper = query.upper()
    if "OPTIONAL" not in upper and "*" not in query and "+" not in query and not (oxigraph and "FILTER" in upper):
        return query
    try:
        tokens = tokenize(query)
        rewritten, changed = _rewrite_span(query, tokens, 0, len(tokens), oxigraph)
    except _Unreadable:
        return query
    return rewritten if changed else query


def _matching(tokens: list[Token], index: int) -> int:
    """Index of the bracket closing the one at ``index``."""
    stack = [_OPEN[tokens[index].text]]
    for position in range(index + 1, len(tokens)):
        text = tokens[position].text
        if text in _OPEN:
            stack.append(_OPEN[text])
        elif text in _CLOSE:
            if text != stack.pop():
                raise _Unreadable
            if not stack:
                return position
    raise _Unreadable


def _rewrite_span(query: str, tokens: list[Token], first: int, stop: int, oxigraph: bool) -> tuple[str, bool]:
    """The text of ``tokens[first:stop]`` with every group inside rewritten; whether anything changed."""
    if first >= stop:
        return "", False
    out: list[str] = []
    changed = False
    cursor = tokens[first].start
    position = first
    while position < stop:
        token = tokens[position]
        if token.text == "{":
            close = _matching(tokens, position)
            group, group_changed = _rewrite_group(query, tokens, position, close, oxigraph)
            out.append(query[cursor:token.start])
            out.append(group)
            cursor = tokens[close].end
            changed = changed or group_changed
            position = close + 1
        elif token.text in ("(", "["):
            position = _matching(tokens, position) + 1  # expressions and lists: left as written
        elif token.text in _CLOSE:
            raise _Unreadable
        else:
            position += 1
    out.append(query[cursor:tokens[stop - 1].end])
    return "".join(out), changed


def _rewrite_group(query: str, tokens: list[Token], open_at: int, close_at: int, oxigraph: bool) -> tuple[str, bool]:
    """A ``{…}`` group with its elements reordered where that is safe (a sub-select is rewritten
    inside, never split)."""
    if open_at + 1 < close_at and tokens[open_at + 1].word == "SELECT":
        inner, inner_changed = _rewrite_span(query, tokens, open_at + 1, close_at, oxigraph)
        return ("{ " + inner + " }", True) if inner_changed else (query[tokens[open_at].start:tokens[close_at].end], False)
    elements, inner_changed = _elements(query, tokens, open_at + 1, close_at, oxigraph)
    order = _hoisted(elements)
    if oxigraph:
        planned = _oxigraph_plan(order if order is not None else elements)
        if planned is not None:
            return planned, True
    if order is None:
        if not inner_changed:
            return query[tokens[open_at].start:tokens[close_at].end], False
        order = elements
    return _group_text(order), True


def _group_text(elements: list[_Element]) -> str:
    return "{ " + "\n".join(f"{e.text} ." if e.kind == "triples" else e.text for e in elements) + " }"


def _hoisted(elements: list[_Element]) -> list[_Element] | None:
    """The elements with each triples block moved up past the OPTIONALs (and FILTERs) it may precede,
    or None when nothing moves."""
    result: list[_Element] = []
    moved = False
    for element in elements:
        target = len(result)
        if element.kind == "triples":
            while target > 0 and result[target - 1].kind in _MOVABLE_PAST:
                before = result[target - 1]
                if before.kind == "optional":
                    certain = set().union(*(e.variables for e in result[: target - 1] if e.kind == "triples"))
                    if not (element.variables & before.variables) <= certain:
                        break
                target -= 1
            if target < len(result) and any(e.kind == "optional" for e in result[target:]):
                moved = True
            else:
                target = len(result)
        result.insert(target, element)
    return result if moved else None


def _oxigraph_plan(elements: list[_Element]) -> str | None:
    """The group written for Oxigraph's planner (see the module text): VALUES for variables a FILTER
    pins to IRIs, else a seeding walk; LATERAL for walks in OPTIONALs and, after a pin or a seed (a
    small left side), for every OPTIONAL pre-binding cannot change. None when no rule applies."""
    plannable = all(e.kind in _PLANNABLE for e in elements)
    pins = _pins(elements) if plannable else {}
    seed = _seed(elements) if plannable and not pins else None
    small_left = bool(pins) or seed is not None
    planned: list[_Element] = []
    certain: set[str] = set(pins) | ({seed.variable} if seed else set())
    bound = set(certain)
    for index, element in enumerate(elements):
        if seed is not None and index == seed.index:
            if not seed.remainder:
                bound |= element.variables
                certain |= element.variables
                continue
            element = _Element("triples", seed.remainder, element.variables)
        if element.kind == "optional" and (
            _walks_from_bound_end(element.text, certain) or (small_left and _prebinding_safe(element.text, bound))
        ):
            element = _Element("optional", f"LATERAL {{ {element.text} }}", element.variables)
        planned.append(element)
        bound |= element.variables
        if element.kind == "triples":
            certain |= element.variables
    if pins:
        values = [_Element("values", f"VALUES ?{name} {{ {' '.join(iris)} }}") for name, iris in pins.items()]
        return _group_text(values + planned)
    if seed is not None:
        return "{ " + seed.text + " .\nLATERAL " + _group_text(planned) + " }"
    return _group_text(planned) if any(a is not b for a, b in zip(elements, planned)) else None


def _prebinding_safe(text: str, variables: set[str]) -> bool:
    """Whether evaluating ``OPTIONAL { … }`` with ``variables`` already bound gives exactly its solutions
    compatible with them: true when those variables occur only at the OPTIONAL's own level (its
    triples and FILTERs, also inside ``GRAPH <iri> { … }``), never inside a nested group, and it has
    no BIND, VALUES or SERVICE (where pre-binding would turn "no match" or "unbound" into a value)."""
    tokens = tokenize(text)
    if len(tokens) < 3 or tokens[0].word != "OPTIONAL" or tokens[1].text != "{":
        return False
    nested = 0
    transparent: list[bool] = []
    for position in range(2, len(tokens) - 1):
        token = tokens[position]
        if token.word in ("BIND", "VALUES", "SERVICE"):
            return False
        if token.text == "{":
            graph_iri = tokens[position - 2].word == "GRAPH" and tokens[position - 1].text[:1] not in "?$"
            transparent.append(graph_iri)
            nested += not graph_iri
        elif token.text == "}":
            if not transparent:
                return False
            nested -= not transparent.pop()
        elif token.text[:1] in "?$" and token.text[1:] in variables and nested:
            return False
    return True


def _pins(elements: list[_Element]) -> dict[str, list[str]]:
    """Variables a group FILTER pins to IRIs (``?v = <iri>``, ``sameTerm(?v, <iri>)``, ``?v IN (<a>,
    <b>)``, alone or as a conjunct of ``&&``), with their IRIs, where ``VALUES ?v { … }`` at the top of
    the group keeps the answer: the variable is bound by a triples block before every OPTIONAL (the
    group must hold only _PLANNABLE elements). For IRIs ``=`` is ``sameTerm``, so the join with
    VALUES keeps exactly the solutions the FILTER (which stays) keeps; Oxigraph itself would scan every
    solution of the group and filter afterwards (110 ms → 0.1 ms for one subject at 10 k events)."""
    certain: set[str] = set()
    for element in elements:
        if element.kind == "optional":
            break
        if element.kind == "triples":
            certain |= element.variables
    pins: dict[str, list[str]] = {}
    for element in elements:
        if element.kind != "filter":
            continue
        for name, iris in _pinned_by(tokenize(element.text)):
            if name in certain and name not in pins:
                pins[name] = list(dict.fromkeys(iris))
    return pins


def _pinned_by(tokens: list[Token]) -> list[tuple[str, list[str]]]:
    """(variable, IRIs) for each conjunct of a ``FILTER`` that pins a variable to IRIs."""
    if len(tokens) < 2:
        return []
    body = tokens[2:-1] if tokens[1].text == "(" and _matching(tokens, 1) == len(tokens) - 1 else tokens[1:]
    if len(_split(body, 0, len(body), ("||", "|"))) > 1:  # an || at the top: its operands are not all required
        return []
    found = []
    for first, stop in _split(body, 0, len(body), "&&"):
        conjunct = body[first:stop]
        while len(conjunct) > 2 and conjunct[0].text == "(" and _matching(conjunct, 0) == len(conjunct) - 1:
            conjunct = conjunct[1:-1]
        texts = [t.text for t in conjunct]
        pinned = _pin(texts)
        if pinned is not None:
            found.append(pinned)
    return found


def _pin(texts: list[str]) -> tuple[str, list[str]] | None:
    """``?v = <iri>``, ``<iri> = ?v``, ``sameTerm(?v, <iri>)`` (either order) or ``?v IN (<iri>, …)``."""

    def iri(text: str) -> bool:
        return _is_term(text) and text[:1] not in "?$"

    def variable(text: str) -> bool:
        return text[:1] in "?$" and len(text) > 1

    if len(texts) == 3 and texts[1] == "=":
        for a, b in (texts[0], texts[2]), (texts[2], texts[0]):
            if variable(a) and iri(b):
                return a[1:], [b]
    if len(texts) == 6 and texts[0].lower() == "sameterm" and texts[1] == "(" and texts[3] == "," and texts[5] == ")":
        for a, b in (texts[2], texts[4]), (texts[4], texts[2]):
            if variable(a) and iri(b):
                return a[1:], [b]
    if len(texts) >= 5 and variable(texts[0]) and texts[1].upper() == "IN" and texts[2] == "(" and texts[-1] == ")":
        listed = texts[3:-1]
        if listed[1::2] == [","] * (len(listed) // 2) and all(iri(t) for t in listed[0::2]):
            return texts[0][1:], listed[0::2]
    return None


@dataclass
class _Seed:
    """A walk that seeds its group: its text, its variable, and the triples block it came from without it."""

    index: int
    text: str
    variable: str
    remainder: str


def _seed(elements: list[_Element]) -> _Seed | None:
    """A required anchored walk that can seed the group (``{ SEED LATERAL { the rest } }``): a path
    with a modifier from a constant to a variable that other parts of the group use, in a triples block
    before every OPTIONAL. Walks up a class or property hierarchy do not seed (they end on classes,
    whose instances are most of the store; measured slower). The group must hold only _PLANNABLE
    elements, and every OPTIONAL that mentions the seed's variable must be one pre-binding cannot
    change (``_prebinding_safe``)."""
    first_optional = next((i for i, e in enumerate(elements) if e.kind == "optional"), len(elements))
    for index in range(first_optional):
        if elements[index].kind != "triples":
            continue
        found = _seed_in(elements[index].text)
        if found is None:
            continue
        text, variable, remainder = found
        remainder_tokens = tokenize(remainder)
        elsewhere = set().union(*(e.variables for i, e in enumerate(elements) if i != index))
        if variable not in elsewhere | _variables(remainder_tokens, 0, len(remainder_tokens)):
            return None
        if any(e.kind == "optional" and not _prebinding_safe(e.text, {variable}) for e in elements):
            return None
        return _Seed(index, text, variable, remainder)
    return None


@dataclass(frozen=True)
class _Pair:
    """One verb and its single object in a block of triples: ``subject verb object``."""

    statement: int
    """Which statement (between top-level dots) holds it, and which of its ``;``-separated pairs it is."""
    which: int
    subject: Token
    verb: list[Token]
    obj: Token


def _pairs(tokens: list[Token], first: int, stop: int) -> Iterator[_Pair]:
    """The verb-object pairs with one object of the triples in ``tokens[first:stop]`` (a statement that
    starts with a bracket, a blank node property list or a collection, has none)."""
    for number, (start, end) in enumerate(_split(tokens, first, stop, ".")):
        if start >= end or tokens[start].text in _OPEN:
            continue
        for which, (a, b) in enumerate(_split(tokens, start + 1, end, ";")):
            if b - a >= 2 and not any(tokens[i].text == "," for i in range(a, b)):
                yield _Pair(number, which, tokens[start], tokens[a:b - 1], tokens[b - 1])


def _seed_in(text: str) -> tuple[str, str, str] | None:
    """In a triples block: the first anchored walk (its text, its variable) and the block without it."""
    tokens = tokenize(text)
    for pair in _pairs(tokens, 0, len(tokens)):
        subject, verb, obj = pair.subject, pair.verb, pair.obj
        if not (_is_term(subject.text) and _is_term(obj.text) and _is_walk(verb)):
            continue
        ends = [t.text for t in (subject, obj) if t.text[:1] in "?$"]
        if len(ends) != 1 or any("subClassOf" in t.text or "subPropertyOf" in t.text for t in verb):
            continue
        statements = _split(tokens, 0, len(tokens), ".")
        first, stop = statements[pair.statement]
        kept_pairs = [text[tokens[x].start:tokens[y - 1].end]
                      for n, (x, y) in enumerate(_split(tokens, first + 1, stop, ";")) if n != pair.which and x < y]
        kept: list[str] = []
        for other, (x, y) in enumerate(statements):
            if other != pair.statement and x < y:
                kept.append(text[tokens[x].start:tokens[y - 1].end])
            elif other == pair.statement and kept_pairs:
                kept.append(subject.text + " " + " ;\n  ".join(kept_pairs))
        return f"{subject.text} {text[verb[0].start:obj.end]}", ends[0][1:], " .\n".join(kept)
    return None


def _walks_from_bound_end(text: str, certain: set[str]) -> bool:
    """``OPTIONAL { … }`` of triples and FILTERs only, with a path that may have zero length (``*``,
    ``?``) between two variables, one of them bound before it: evaluated on its own such a path pairs
    every term of the store with itself."""
    tokens = tokenize(text)
    if len(tokens) < 3 or tokens[0].word != "OPTIONAL" or sum(t.text == "{" for t in tokens) != 1:
        return False  # not an OPTIONAL whose group has no group inside (nor FILTER EXISTS)
    return any(
        pair.subject.text[:1] in "?$" and pair.obj.text[:1] in "?$" and _is_walk(pair.verb, zero_length=True)
        and (pair.subject.text[1:] in certain or pair.obj.text[1:] in certain)
        for pair in _pairs(tokens, 2, len(tokens) - 1)
    )


def _split(tokens: list[Token], first: int, stop: int, separator: str | tuple[str, ...]) -> list[tuple[int, int]]:
    """Index ranges of ``tokens[first:stop]`` between top-level ``separator`` tokens (or any of several)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    start = first
    for position in range(first, stop):
        text = tokens[position].text
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth -= 1
        elif depth == 0 and (text == separator if isinstance(separator, str) else text in separator):
            parts.append((start, position))
            start = position + 1
    parts.append((start, stop))
    return parts


_PATH_SYMBOLS = {"(", ")", "|", "/", "^", "*", "+", "?", "!"}


def _is_term(text: str) -> bool:
    """A variable, an IRI or a prefixed name: a term a path can start or end on (a blank node label is
    neither a constant nor a variable to select, and may not be split from its basic graph pattern)."""
    if text[:1] in "?$":
        return len(text) > 1
    if text.startswith("_:"):
        return False
    return text.startswith("<") or (":" in text and text[:1] not in "\"'(@" and not text.startswith("^^"))


def _is_walk(verb: list[Token], zero_length: bool = False) -> bool:
    """A property path with a repeating modifier (``*`` or ``+``; with ``zero_length``: ``*`` or ``?``)."""
    if not verb or not all(t.text in _PATH_SYMBOLS or t.text == "a" or _is_term(t.text) and t.text[:1] not in "?$"
                           for t in verb):
        return False
    modifiers = ("*", "?") if zero_length else ("*", "+")
    return any(t.text in modifiers or (t.text.endswith(modifiers) and len(t.text) > 1) for t in verb)


def _elements(query: str, tokens: list[Token], first: int, stop: int, oxigraph: bool) -> tuple[list[_Element], bool]:
    """Split a group's content into elements; nested groups are rewritten on the way."""
    elements: list[_Element] = []
    changed = False
    position = first
    block_start: int | None = None

    def close_block(end: int) -> None:
        nonlocal changed
        if block_start is not None and block_start < end:
            reordered = _anchored_paths_first(query, tokens, block_start, end)
            if reordered is not None:
                text, block_changed = reordered, True
            else:
                text, block_changed = _rewrite_span(query, tokens, block_start, end, oxigraph)
            changed = changed or block_changed
            elements.append(_Element("triples", text, _variables(tokens, block_start, end)))

    while position < stop:
        token = tokens[position]
        word = token.word
        if word in ELEMENT_KEYWORDS or token.text == "{":
            close_block(position)
            block_start = None
            end = _element_end(tokens, position, stop)
            text, element_changed = _rewrite_span(query, tokens, position, end, oxigraph)
            changed = changed or element_changed
            kind = word.lower() if token.text != "{" else "group"
            elements.append(_Element(kind, text, _variables(tokens, position, end)))
            position = end
        elif token.text == "." and block_start is None:
            position += 1  # a separator between elements; put back when the group is written
        else:
            if block_start is None:
                block_start = position
            if token.text in _OPEN:
                position = _matching(tokens, position) + 1
            elif token.text == "." and _block_ends(tokens, position + 1, stop):
                close_block(position)
                block_start = None
                position += 1
            else:
                position += 1
    close_block(stop)
    return elements, changed


def _anchored_paths_first(query: str, tokens: list[Token], first: int, stop: int) -> str | None:
    """The block's statements with single-triple path patterns anchored on a constant written first,
    or None when there is none to move (or the block has brackets, which stay as written)."""
    statements: list[tuple[int, int]] = []
    start = first
    for position in range(first, stop):
        text = tokens[position].text
        if text in _OPEN or text in _CLOSE:
            return None
        if text == ".":
            if start < position:
                statements.append((start, position))
            start = position + 1
    if start < stop:
        statements.append((start, stop))
    anchored = [s for s in statements if _is_anchored_path(tokens[s[0]:s[1]])]
    if not anchored or anchored == statements[: len(anchored)]:
        return None
    ordered = anchored + [s for s in statements if s not in anchored]
    return " .\n".join(query[tokens[a].start:tokens[b - 1].end] for a, b in ordered)


def _is_anchored_path(statement: list[Token]) -> bool:
    """``subject path object`` (one triple) whose path has a modifier and whose subject or object is a constant."""
    if len(statement) != 3 or any(t.text in (";", ",") for t in statement):
        return False
    subject, path, obj = (t.text for t in statement)
    is_path = path.endswith(("*", "+")) or "/" in path.replace("://", "") or "|" in path or path.startswith("^")
    return is_path and (subject[:1] not in "?$" or obj[:1] not in "?$")


def _block_ends(tokens: list[Token], position: int, stop: int) -> bool:
    """True if what follows a '.' is not more triples (another element, or the group's end)."""
    if position >= stop:
        return True
    token = tokens[position]
    return token.text == "{" or token.word in ELEMENT_KEYWORDS


def _element_end(tokens: list[Token], position: int, stop: int) -> int:
    """The index just past the element starting at ``position`` (a keyword element or a group)."""
    word = tokens[position].word
    if tokens[position].text == "{":
        end = _matching(tokens, position) + 1
        while end < stop and tokens[end].word == "UNION":
            if end + 1 >= stop or tokens[end + 1].text != "{":
                raise _Unreadable
            end = _matching(tokens, end + 1) + 1
        return end
    cursor = position + 1
    if word == "FILTER":
        if cursor < stop and tokens[cursor].word == "NOT":
            cursor += 1
        if cursor < stop and tokens[cursor].word == "EXISTS":
            cursor += 1
        elif cursor < stop and tokens[cursor].text != "(":
            cursor += 1  # a function call: name(args)
    elif word in ("GRAPH", "SERVICE"):
        while cursor < stop and tokens[cursor].text != "{":
            cursor += 1
    elif word == "VALUES":
        if cursor < stop and tokens[cursor].text == "(":
            cursor = _matching(tokens, cursor) + 1
        else:
            cursor += 1
    if cursor >= stop or tokens[cursor].text not in _OPEN:
        raise _Unreadable
    return _matching(tokens, cursor) + 1


def _variables(tokens: list[Token], first: int, stop: int) -> set[str]:
    return {tokens[i].text[1:] for i in range(first, stop) if tokens[i].text[:1] in "?$" and len(tokens[i].text) > 1}
