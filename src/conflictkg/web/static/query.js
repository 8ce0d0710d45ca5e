// The query page: a CodeMirror SPARQL editor (vendor/editor.js), runs against /sparql with fetch(),
// shows the result as a sortable paged table, a map, a timeline and a bar chart, offers downloads in
// every format the endpoint serves, and keeps the query in the URL so that it can be shared.
// No network beyond this server; values from data are inserted as text only.
import { ResultsTable } from "./results-table.js";
import { chartColumns, findDates, findPoints, groupCounts } from "./result-views.js";
import { drawBarChart, drawTimeline } from "./charts.js";
import { pointsMap } from "./geomap.js";

const config = JSON.parse(document.getElementById("query-config").textContent);
const $ = (id) => document.getElementById(id);
const form = $("query-form");
const textarea = $("query");
const picker = $("example");
const inference = $("inference");
const status = $("status");
const truncated = $("truncated");
const results = $("results");
const downloads = $("downloads");
const downloadLinks = $("download-links");
const views = $("views");
const panels = { table: results, map: $("map-view"), timeline: $("timeline-view"), chart: $("chart-view") };
const ERROR_POSITION = /\bat (\d+):(\d+)/;
const TRUNCATION_HEADER = /truncat|result-limit|row-limit|maxrows/i;
const GRAPH_LINES = 2000;
const GRAPH_CUT = /^# (truncated after \d+ triples[^\n]*)\s*$/m;

let editor = null;
let current = null;
let running = false;

function queryText() {
  return editor ? editor.getValue() : textarea.value;
}

function setQuery(text) {
  textarea.value = text;
  if (editor) {
    editor.setValue(text);
    editor.clearErrors();
  }
}

function params(format) {
  const p = new URLSearchParams();
  p.set("query", queryText());
  if (inference.checked) {
    p.set("inference", "true");
  }
  if (format) {
    p.set("format", format);
  }
  return p;
}

// The address of this page with the current query, for the address bar and "Copy link".
function shareUrl() {
  const p = new URLSearchParams();
  p.set("query", queryText());
  if (inference.checked) {
    p.set("inference", "true");
  }
  return location.pathname + "?" + p.toString();
}

function showDownloads(formats) {
  downloadLinks.replaceChildren();
  formats.forEach((f, i) => {
    const a = document.createElement("a");
    a.href = "/sparql?" + params(f).toString();
    a.textContent = f;
    a.className = "download";
    a.setAttribute("download", "");
    if (i > 0) {
      downloadLinks.append(" · ");
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
  const position = ERROR_POSITION.exec(message);
  if (position && editor) {
    editor.showError(Number(position[1]), Number(position[2]), message.trim());
  }
}

// Response headers that say a limit cut the result (the endpoint's result-size cap).
function truncationNotice(response) {
  const notes = [];
  response.headers.forEach((value, name) => {
    if (TRUNCATION_HEADER.test(name)) {
      notes.push(`${name}: ${value}`);
    }
  });
  return notes;
}

function resetViews() {
  current = null;
  views.hidden = true;
  truncated.hidden = true;
  downloads.hidden = true;
  for (const [name, panel] of Object.entries(panels)) {
    panel.replaceChildren();
    panel.hidden = name !== "table";
  }
}

function formatCount(n) {
  return n.toLocaleString("en");
}

async function run() {
  if (running) {
    return;
  }
  running = true;
  if (editor) {
    editor.clearErrors();
  }
  history.replaceState(null, "", shareUrl());
  status.textContent = "running…";
  resetViews();
  const started = performance.now();
  let response;
  let body;
  try {
    response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: params(null).toString(),
    });
    body = await response.text();
  } catch (err) {
    status.textContent = "";
    fail("The server could not be reached: " + err);
    running = false;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  running = false;
  if (!response.ok) {
    status.textContent = "error " + response.status;
    fail(body);
    return;
  }
  const notes = truncationNotice(response);
  const type = response.headers.get("Content-Type") || "";
  const json = type.startsWith("application/sparql-results+json");
  const data = json ? JSON.parse(body) : null;
  // The endpoint's result cap marks a cut in the result itself: "truncated": true (and
  // "truncated_after": N) in SPARQL JSON, a closing "# truncated after N triples" line in Turtle.
  if (data && data.truncated === true) {
    notes.push(`truncated after ${formatCount(Number(data.truncated_after) || data.results.bindings.length)} rows`);
  }
  const graphCut = !json && GRAPH_CUT.exec(body);
  if (graphCut) {
    notes.push(graphCut[1]);
  }
  if (notes.length) {
    truncated.textContent = "The result was cut by a limit of this server and is incomplete (" + notes.join("; ") +
      "). Add a LIMIT, or narrow the query, to see all of what you ask for.";
    truncated.hidden = false;
  }
  if (json) {
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = "Answer: " + data.boolean;
      results.replaceChildren(p);
      status.textContent = seconds + " s";
    } else {
      showTable(data);
      status.textContent = `${formatCount(data.results.bindings.length)} rows · ${seconds} s` + (notes.length ? " · truncated" : "");
    }
    showDownloads(config.tableFormats);
  } else {
    // A graph result is shown as text; past GRAPH_LINES lines only the start is, the downloads have it all.
    const lines = body.split("\n");
    const pre = document.createElement("pre");
    pre.className = "graph";
    pre.textContent = lines.slice(0, GRAPH_LINES).join("\n");
    results.replaceChildren(pre);
    if (lines.length > GRAPH_LINES) {
      const note = document.createElement("p");
      note.className = "graph-cut";
      note.textContent = `Showing the first ${formatCount(GRAPH_LINES)} of ${formatCount(lines.length)} lines; download the whole result below.`;
      results.appendChild(note);
    }
    status.textContent = `${formatCount(lines.filter((l) => l.trim()).length)} lines · ${seconds} s` + (notes.length ? " · truncated" : "");
    showDownloads(config.graphFormats);
  }
}

function showTable(data) {
  const vars = data.head.vars || [];
  const rows = data.results.bindings;
  current = { vars, rows, table: new ResultsTable(results, vars, rows, config.canonicalBase), drawn: new Set(["table"]) };
  const points = findPoints(vars, rows);
  const dates = findDates(vars, rows);
  const columns = chartColumns(vars, rows);
  current.points = points;
  current.dates = dates;
  current.columns = columns;
  const available = {
    table: true,
    map: points.length > 0,
    timeline: dates.some((d) => d.time !== null),
    chart: columns.groups.length > 0 && rows.length > 0,
  };
  for (const button of views.querySelectorAll("button[data-view]")) {
    const name = button.dataset.view;
    button.disabled = !available[name];
    button.setAttribute("aria-pressed", String(name === "table"));
    const count = name === "map" ? points.length : name === "timeline" ? dates.length : null;
    button.querySelector(".count").textContent = available[name] && count !== null ? ` (${formatCount(count)})` : "";
  }
  views.hidden = rows.length === 0;
}

async function show(name) {
  if (!current) {
    return;
  }
  for (const button of views.querySelectorAll("button[data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === name));
  }
  for (const [key, panel] of Object.entries(panels)) {
    panel.hidden = key !== name;
  }
  if (current.drawn.has(name)) {
    if (name === "map" && current.map) {
      current.map.invalidateSize();
    }
    return;
  }
  current.drawn.add(name);
  const panel = panels[name];
  if (name === "map") {
    const box = document.createElement("div");
    box.className = "leaflet-box";
    box.id = "result-map";
    const note = document.createElement("p");
    note.className = "map-note";
    const located = current.points.reduce((sum, p) => sum + p.rows, 0);
    note.textContent = `${formatCount(current.points.length)} positions for ${formatCount(located)} rows` +
      (current.points.length >= 50 ? ", clustered: zoom in or click a cluster." : "; click a dot for its rows.");
    panel.replaceChildren(box, note);
    current.map = await pointsMap(box, current.points, config.canonicalBase);
  } else if (name === "timeline") {
    drawTimeline(panel, current.dates, config.canonicalBase, "Dates in the result");
  } else if (name === "chart") {
    drawChartPanel(panel);
  }
}

function select(labelText, options, onChange) {
  const label = document.createElement("label");
  label.textContent = labelText + " ";
  const s = document.createElement("select");
  for (const [value, text] of options) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    s.appendChild(o);
  }
  s.addEventListener("change", onChange);
  label.appendChild(s);
  return [label, s];
}

function drawChartPanel(panel) {
  const { groups, numeric } = current.columns;
  const controls = document.createElement("div");
  controls.className = "chart-controls";
  const area = document.createElement("div");
  const redraw = () => {
    const valueVar = measure.value || null;
    const counts = groupCounts(current.vars, current.rows, group.value, valueVar);
    drawBarChart(area, counts, config.canonicalBase, valueVar ? `sum of ?${valueVar} per ?${group.value}` : `rows per ?${group.value}`);
  };
  const [groupLabel, group] = select("Group by", groups.map((v) => [v, "?" + v]), () => redraw());
  const [measureLabel, measure] = select("Value", [...numeric.map((v) => [v, "sum of ?" + v]), ["", "row count"]], () => redraw());
  controls.append(groupLabel, " ", measureLabel);
  panel.replaceChildren(controls, area);
  redraw();
}

// Puts the example query named `name` (its file stem) in the editor; false when there is none.
function choose(name) {
  const example = config.examples.find((e) => e.name === name);
  if (example) {
    setQuery(example.text);
    picker.value = name;
    history.replaceState(null, "", location.pathname + "?example=" + encodeURIComponent(name));
  }
  return Boolean(example);
}

async function copyLink() {
  const url = new URL(shareUrl(), location.href).toString();
  history.replaceState(null, "", shareUrl());
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = "Link to this query copied.";
  } catch (err) {
    status.textContent = "Link to this query: " + url;
  }
}

function start() {
  const holder = $("editor");
  if (window.ConflictkgEditor) {
    editor = window.ConflictkgEditor.createEditor(holder, {
      doc: textarea.value,
      prefixes: config.prefixes,
      terms: config.terms,
      label: "SPARQL query editor",
      onRun: () => { run(); },
      onChange: (text) => { textarea.value = text; },
    });
    holder.hidden = false;
    textarea.hidden = true;
  }
  picker.addEventListener("change", () => choose(picker.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  $("share").addEventListener("click", copyLink);
  for (const button of views.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => show(button.dataset.view));
  }
  // Ctrl/Cmd+Enter runs from anywhere on the page (the editor binds it too).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault();
      run();
    }
  });
  // /query?example=<name> (the landing page's links) opens that example; an unknown name says so and
  // falls back like a bare /query: the ?query= text if given, else the first example.
  const wanted = new URLSearchParams(location.search).get("example");
  if (wanted && !choose(wanted)) {
    status.textContent = "There is no example query named “" + wanted + "”.";
  }
  if (!queryText() && config.examples.length) {
    const url = location.pathname + location.search;
    choose(config.examples[0].name);
    history.replaceState(null, "", url);
  }
  document.body.dataset.ready = "true";
}

start();
