// The query editor: runs SPARQL against /sparql with fetch() and shows results as a table.
// Plain JavaScript, no framework, no network beyond this server. Values are inserted with
// textContent only, never as HTML.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("query-config").textContent);
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const picker = document.getElementById("example");
  const inference = document.getElementById("inference");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const downloadLinks = document.getElementById("download-links");

  // Our own resources open on this server; any other IRI is a link only if its scheme is safe (links.js).
  function localHref(iri) {
    if (iri.startsWith(config.idBase)) {
      return "/id/" + iri.slice(config.idBase.length);
    }
    return window.conflictkgLinks.liveHref(iri);
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) {
      return td;
    }
    const href = term.type === "uri" ? localHref(term.value) : null;
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = term.value;
      a.className = term.value.startsWith(config.idBase) ? "internal" : "external";
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        const lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }

  function table(data) {
    const vars = data.head.vars || [];
    const t = document.createElement("table");
    t.className = "results";
    const head = t.insertRow();
    vars.forEach(function (v) {
      const th = document.createElement("th");
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    data.results.bindings.forEach(function (row) {
      const tr = t.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    return t;
  }

  function params(format) {
    const p = new URLSearchParams();
    p.set("query", editor.value);
    if (inference.checked) {
      p.set("inference", "true");
    }
    if (format) {
      p.set("format", format);
    }
    return p;
  }

  function showDownloads(formats) {
    downloadLinks.replaceChildren();
    formats.forEach(function (f, i) {
      const a = document.createElement("a");
      a.href = "/sparql?" + params(f).toString();
      a.textContent = f;
      a.className = "download";
      if (i > 0) {
        downloadLinks.appendChild(document.createTextNode(" · "));
      }
      downloadLinks.appendChild(a);
    });
    downloads.hidden = false;
  }

  function fail(message) {
    const pre = document.createElement("pre");
    pre.className = "error";
    pre.textContent = message;
    results.replaceChildren(pre);
  }

  async function run(event) {
    event.preventDefault();
    status.textContent = "running…";
    results.replaceChildren();
    downloads.hidden = true;
    const started = performance.now();
    let response;
    try {
      response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: params(null).toString(),
      });
    } catch (err) {
      status.textContent = "";
      fail("The server could not be reached: " + err);
      return;
    }
    const body = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.textContent = "error " + response.status;
      fail(body);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(body);
      if (typeof data.boolean === "boolean") {
        const p = document.createElement("p");
        p.className = "boolean";
        p.textContent = "Answer: " + data.boolean;
        results.replaceChildren(p);
        status.textContent = seconds + " s";
      } else {
        results.replaceChildren(table(data));
        status.textContent = data.results.bindings.length + " rows, " + seconds + " s";
      }
      showDownloads(config.tableFormats);
    } else {
      const pre = document.createElement("pre");
      pre.className = "graph";
      pre.textContent = body;
      results.replaceChildren(pre);
      status.textContent = seconds + " s";
      showDownloads(config.graphFormats);
    }
  }

  // Puts the example query named `name` (its file stem) in the editor; false when there is none.
  function choose(name) {
    const example = config.examples.find(function (e) { return e.name === name; });
    if (example) {
      editor.value = example.text;
      picker.value = name;
    }
    return Boolean(example);
  }

  picker.addEventListener("change", function () { choose(picker.value); });
  form.addEventListener("submit", run);
  // /query?example=<name> (the landing page's links) opens that example; an unknown name says so and
  // falls back like a bare /query: the ?query= text if given, else the first example.
  const wanted = new URLSearchParams(window.location.search).get("example");
  if (wanted && !choose(wanted)) {
    status.textContent = "There is no example query named “" + wanted + "”.";
  }
  if (!editor.value && config.examples.length) {
    choose(config.examples[0].name);
  }
})();
