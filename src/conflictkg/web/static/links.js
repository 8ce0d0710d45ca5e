// Which IRIs may become a live link (the browser's copy of src/conflictkg/hrefs.py; the tests hold the
// two to the same cases). Data is untrusted: a javascript:, data: or vbscript: IRI stays text.
// Load with <script src="/static/links.js"> before the scripts that use window.conflictkgLinks.
"use strict";
(function (root) {
  const LIVE_SCHEMES = ["http", "https", "mailto", "urn"];
  const SCHEME = /^([A-Za-z][A-Za-z0-9+.\-]*):/;
  const INVISIBLE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;

  // `iri` if it may be a link (absolute, with a live scheme, nothing hidden in it), else null.
  function liveHref(iri) {
    if (typeof iri !== "string" || !iri || INVISIBLE.test(iri)) {
      return null;
    }
    const match = SCHEME.exec(iri);
    if (!match || LIVE_SCHEMES.indexOf(match[1].toLowerCase()) < 0) {
      return null;
    }
    return iri;
  }

  const api = { LIVE_SCHEMES: LIVE_SCHEMES, liveHref: liveHref };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.conflictkgLinks = api;
  }
})(typeof window === "object" ? window : this);
