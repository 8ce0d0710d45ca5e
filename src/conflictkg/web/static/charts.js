// Timeline and bar chart as plain SVG. Two charts of this size need no charting library: SVG keeps them
// accessible (every mark has a <title>, labels are text), works under a strict CSP, and adds no bytes
// to download. Text from data is set with textContent only.
import { linkOf } from "./links.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY = 86400000;
const STRIP_MAX = 60;

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) {
    node.setAttribute(k, String(v));
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function titled(node, text) {
  node.appendChild(el("title", {}, text));
  return node;
}

// Milliseconds since the epoch for an xsd:date, xsd:dateTime, xsd:gYearMonth or xsd:gYear lexical form.
export function parseDate(value) {
  const m = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?/.exec(value.trim());
  if (!m) {
    return null;
  }
  const t = Date.UTC(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1,
    m[4] ? Number(m[4]) : 0, m[5] ? Number(m[5]) : 0, m[6] ? Number(m[6]) : 0);
  return Number.isFinite(t) ? t : null;
}

function isoDay(t) {
  return new Date(t).toISOString().slice(0, 10);
}

// Bins of a day, a month or a year, whichever keeps the bar count readable for the span.
function binner(min, max) {
  const span = (max - min) / DAY;
  if (span <= 120) {
    return { unit: "day", key: (t) => isoDay(t), start: (k) => Date.parse(k + "T00:00:00Z"), next: (t) => t + DAY };
  }
  if (span <= 366 * 12) {
    return {
      unit: "month",
      key: (t) => isoDay(t).slice(0, 7),
      start: (k) => Date.parse(k + "-01T00:00:00Z"),
      next: (t) => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); },
    };
  }
  return {
    unit: "year",
    key: (t) => String(new Date(t).getUTCFullYear()),
    start: (k) => Date.UTC(Number(k), 0, 1),
    next: (t) => Date.UTC(new Date(t).getUTCFullYear() + 1, 0, 1),
  };
}

// items: [{time (ms), label, iri, detail}]. Up to 60 items each get a mark and a label on a strip;
// more are counted per day, month or year as a histogram.
export function drawTimeline(container, items, canonicalBase, heading) {
  const dated = items.filter((i) => i.time !== null).sort((a, b) => a.time - b.time);
  const figure = document.createElement("figure");
  figure.className = "timeline-chart";
  if (!dated.length) {
    figure.textContent = "No dates to draw.";
    container.replaceChildren(figure);
    return figure;
  }
  const svg = dated.length <= STRIP_MAX ? strip(dated, canonicalBase) : histogram(dated);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${heading || "Timeline"}: ${dated.length} dated items from ${isoDay(dated[0].time)} to ${isoDay(dated[dated.length - 1].time)}`);
  const caption = document.createElement("figcaption");
  caption.textContent = `${dated.length} dated item${dated.length === 1 ? "" : "s"}, ${isoDay(dated[0].time)} – ${isoDay(dated[dated.length - 1].time)}` +
    (items.length > dated.length ? ` (${items.length - dated.length} without a date left out)` : "");
  figure.append(svg, caption);
  container.replaceChildren(figure);
  return figure;
}

function scale(min, max, x0, x1) {
  const span = max - min || DAY;
  const lo = max === min ? min - span / 2 : min;
  return (t) => x0 + ((t - lo) / (max === min ? span : max - min)) * (x1 - x0);
}

function ticks(min, max, x, y, g) {
  const b = binner(min, max);
  let t = b.start(b.key(min));
  const all = [];
  while (t <= max + 1) {
    all.push(t);
    t = b.next(t);
  }
  const step = Math.max(1, Math.ceil(all.length / 8));
  all.filter((_, i) => i % step === 0).forEach((tick) => {
    const label = b.unit === "day" ? isoDay(tick) : b.unit === "month" ? isoDay(tick).slice(0, 7) : isoDay(tick).slice(0, 4);
    g.appendChild(el("line", { x1: x(tick), x2: x(tick), y1: y, y2: y + 5, class: "tick" }));
    g.appendChild(el("text", { x: x(tick), y: y + 18, "text-anchor": "middle", class: "tick-label" }, label));
  });
}

function strip(dated, canonicalBase) {
  const width = 860;
  const lanes = Math.min(dated.length, 12);
  const height = 60 + lanes * 22;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline-svg", width: "100%" });
  const min = dated[0].time;
  const max = dated[dated.length - 1].time;
  const x = scale(min, max, 60, width - 230);
  const axisY = height - 30;
  svg.appendChild(el("line", { x1: 20, x2: width - 20, y1: axisY, y2: axisY, class: "axis" }));
  ticks(min, max, x, axisY, svg);
  dated.forEach((item, i) => {
    const lane = i % lanes;
    const cx = x(item.time);
    const cy = 16 + lane * 22;
    const g = el("g", { class: "event" + (item.current ? " current" : "") });
    g.appendChild(el("line", { x1: cx, x2: cx, y1: cy, y2: axisY, class: "stem" }));
    g.appendChild(el("circle", { cx, cy, r: item.current ? 6 : 4.5 }));
    const label = el("text", { x: cx + 8, y: cy + 4, class: "event-label" }, item.label);
    const href = linkOf(item, canonicalBase);
    titled(g, `${isoDay(item.time)} · ${item.label}${item.detail ? " · " + item.detail : ""}`);
    if (href) {
      const a = el("a", { href });
      a.append(label);
      g.appendChild(a);
    } else {
      g.appendChild(label);
    }
    svg.appendChild(g);
  });
  return svg;
}

function histogram(dated) {
  const width = 860;
  const height = 240;
  const min = dated[0].time;
  const max = dated[dated.length - 1].time;
  const b = binner(min, max);
  const counts = new Map();
  for (const item of dated) {
    const k = b.key(item.time);
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  const starts = [];
  for (let t = b.start(b.key(min)); t <= max; t = b.next(t)) {
    starts.push(t);
  }
  const end = b.next(starts[starts.length - 1]);
  const x = scale(starts[0], end, 50, width - 20);
  const top = Math.max(...counts.values());
  const y = (n) => 20 + (1 - n / top) * (height - 70);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline-svg histogram", width: "100%" });
  const axisY = height - 50;
  svg.appendChild(el("line", { x1: 50, x2: width - 20, y1: axisY, y2: axisY, class: "axis" }));
  svg.appendChild(el("text", { x: 44, y: y(top) + 4, "text-anchor": "end", class: "tick-label" }, String(top)));
  svg.appendChild(el("text", { x: 44, y: axisY + 4, "text-anchor": "end", class: "tick-label" }, "0"));
  for (const start of starts) {
    const n = counts.get(b.key(start)) || 0;
    if (!n) {
      continue;
    }
    const x0 = x(start);
    const w = Math.max(1, x(b.next(start)) - x0 - 1);
    svg.appendChild(titled(el("rect", { x: x0, y: y(n), width: w, height: axisY - y(n), class: "bar" }), `${b.key(start)}: ${n}`));
  }
  ticks(starts[0], end - 1, x, axisY, svg);
  svg.appendChild(el("text", { x: width / 2, y: height - 8, "text-anchor": "middle", class: "axis-label" }, `count per ${b.unit}`));
  return svg;
}

// groups: [{label, value, iri}] drawn as horizontal bars, largest first; the top 30 are shown.
export function drawBarChart(container, groups, canonicalBase, heading) {
  const shown = [...groups].sort((a, b) => b.value - a.value).slice(0, 30);
  const figure = document.createElement("figure");
  figure.className = "bar-chart";
  if (!shown.length) {
    figure.textContent = "Nothing to count.";
    container.replaceChildren(figure);
    return figure;
  }
  const width = 860;
  const row = 22;
  const height = shown.length * row + 20;
  const labelWidth = 300;
  const top = Math.max(...shown.map((g) => g.value), 1);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "bar-svg", width: "100%", role: "img", "aria-label": heading || "Bar chart" });
  shown.forEach((group, i) => {
    const y = 10 + i * row;
    const w = Math.max(1, (group.value / top) * (width - labelWidth - 80));
    const label = el("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", class: "bar-label" },
      group.label.length > 42 ? group.label.slice(0, 41) + "…" : group.label);
    const href = linkOf(group, canonicalBase);
    if (href) {
      const a = el("a", { href });
      a.appendChild(label);
      svg.appendChild(a);
    } else {
      svg.appendChild(label);
    }
    svg.appendChild(titled(el("rect", { x: labelWidth, y: y + 3, width: w, height: row - 6, class: "bar" }), `${group.label}: ${group.value}`));
    svg.appendChild(el("text", { x: labelWidth + w + 6, y: y + 15, class: "bar-value" }, String(group.value)));
  });
  const caption = document.createElement("figcaption");
  caption.textContent = (heading || "") + (groups.length > shown.length ? ` — the ${shown.length} largest of ${groups.length} groups` : "");
  figure.append(svg, caption);
  container.replaceChildren(figure);
  return figure;
}
