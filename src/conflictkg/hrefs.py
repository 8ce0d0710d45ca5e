"""Which IRIs may become a live link: data is untrusted, and a ``javascript:`` or ``data:`` IRI in a
served file must never turn into something a click runs.

The rule lives here once for the server (the pages, the map, the reconciliation preview) and once for
the browser in ``web/static/links.js``; ``tests/test_hrefs.py`` holds both to the same table of cases.
"""

from __future__ import annotations

import re

LIVE_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "urn"})
"""Schemes an IRI from the data may carry and still be a link."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
"""Characters a browser strips or ignores in a URL (whitespace, controls, invisible formatting): an IRI
holding any is never trusted as a link, since ``java\\tscript:`` still runs as ``javascript:``."""


def live_href(iri: str | None) -> str | None:
    """``iri`` if it may be a link (absolute, with a live scheme, nothing hidden in it), else None."""
    if not iri or _INVISIBLE.search(iri):
        return None
    match = _SCHEME.match(iri)
    if match is None or match.group(1).lower() not in LIVE_SCHEMES:
        return None
    return iri


def page_href(href: str | None) -> str:
    """An ``href`` attribute value for a page: a path on this server (``/id/...``) or a live IRI; anything
    else becomes the empty string (a link to the page itself), never a script. The templates' last line
    of defence, as the Jinja filter ``live_href``."""
    if href and href.startswith("/") and not href.startswith(("//", "/\\")) and not _INVISIBLE.search(href):
        return href
    return live_href(href) or ""
