// Which IRIs become links, and where they lead. Everything that comes from data is inert text unless it
// is an IRI with a scheme we trust (http, https, mailto, urn); our own IRIs lead to this server's pages.

// The browser's copy of src/conflictkg/hrefs.py: tests/web/test_stored_xss.py holds the two to the same cases.
const LINK_SCHEMES = new Set(["http", "https", "mailto", "urn"]);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// Characters a browser strips or ignores in a URL: an IRI holding any is never a link ("java\tscript:").
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;

// `iri` if it may be a link (absolute, with a trusted scheme, nothing hidden in it), else null.
export function liveHref(iri) {
  if (typeof iri !== "string" || !iri || INVISIBLE.test(iri)) {
    return null;
  }
  const scheme = SCHEME.exec(iri);
  return scheme && LINK_SCHEMES.has(scheme[1].toLowerCase()) ? iri : null;
}

// The local path serving `iri` on this server ({canonicalBase} → /id/…, /ontology#…, /shapes#…), else null.
export function localPath(iri, canonicalBase) {
  if (!canonicalBase || !iri.startsWith(canonicalBase)) {
    return null;
  }
  const rest = iri.slice(canonicalBase.length);
  if (rest.startsWith("id/") && rest.length > 3) {
    return "/" + rest;
  }
  for (const doc of ["ontology", "shapes"]) {
    if (rest === doc || rest.startsWith(doc + "#")) {
      return "/" + rest;
    }
  }
  return null;
}

// The href for an IRI: local path for ours, the IRI itself for a trusted scheme, null otherwise.
export function hrefFor(iri, canonicalBase) {
  const local = localPath(iri, canonicalBase);
  if (local) {
    return local;
  }
  return liveHref(iri);
}

// `href` if it is a path on this server or has a trusted scheme, else null (for links the server made).
export function safeHref(href) {
  if (!href) {
    return null;
  }
  if (href.startsWith("/") && !href.startsWith("//") && !href.startsWith("/\\") && !INVISIBLE.test(href)) {
    return href;
  }
  return liveHref(href);
}

// The link for an item carrying either a server-made `href` or an `iri`.
export function linkOf(item, canonicalBase) {
  if (item.href !== undefined && item.href !== null) {
    return safeHref(item.href);
  }
  return item.iri ? hrefFor(item.iri, canonicalBase) : null;
}

// A short name for an IRI in charts and on the map: the part after its last "#" or "/".
export function shortIri(iri) {
  const tail = iri.replace(/[#/]+$/, "").split(/[#/]/).pop();
  return tail || iri;
}

// An <a> (or a <span> when the IRI may not be a link) showing `text`, classed internal or external.
export function iriElement(iri, canonicalBase, text) {
  const href = hrefFor(iri, canonicalBase);
  const element = document.createElement(href ? "a" : "span");
  element.textContent = text === undefined ? iri : text;
  if (href) {
    element.href = href;
    element.className = localPath(iri, canonicalBase) ? "internal" : "external";
  } else {
    element.className = "iri-text";
  }
  return element;
}
