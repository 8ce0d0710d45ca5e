// Which IRIs become links, and where they lead. Everything that comes from data is inert text unless it
// is an IRI with a scheme we trust (http, https, mailto, urn); our own IRIs lead to this server's pages.

const LINK_SCHEMES = new Set(["http", "https", "mailto", "urn"]);

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
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(iri);
  return scheme && LINK_SCHEMES.has(scheme[1].toLowerCase()) ? iri : null;
}

// `href` if it is a path on this server or has a trusted scheme, else null (for links the server made).
export function safeHref(href) {
  if (!href) {
    return null;
  }
  if (href.startsWith("/") && !href.startsWith("//")) {
    return href;
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(href);
  return scheme && LINK_SCHEMES.has(scheme[1].toLowerCase()) ? href : null;
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
