// What a SELECT result can be drawn as: points for a map (WKT POINT literals, or latitude and longitude
// columns), dates for a timeline, groups with counts for a bar chart.
import { parseDate } from "./charts.js";
import { isNumeric } from "./results-table.js";
import { shortIri } from "./links.js";

const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
const POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)\s*$/i;
const DATE_TYPES = new Set(["date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"].map((t) => "http://www.w3.org/2001/XMLSchema#" + t));
const LAT = /(^|_)?lat(itude)?$/i;
const LON = /(^|_)?(lon|long|lng|longitude)$/i;

// [lon, lat] of a WKT POINT, or null.
export function wktPoint(value) {
  const m = POINT.exec(value);
  if (!m) {
    return null;
  }
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 ? [lon, lat] : null;
}

// A row's name and link: the first IRI and the first plain (non-numeric, non-WKT) literal.
function describe(row, vars, skip) {
  let iri = null;
  let label = null;
  for (const v of vars) {
    const term = row[v];
    if (!term || skip.has(v)) {
      continue;
    }
    if (term.type === "uri" && !iri) {
      iri = term.value;
    } else if (term.type === "literal" && !label && !isNumeric(term) && term.datatype !== WKT && !DATE_TYPES.has(term.datatype)) {
      label = term.value;
    }
  }
  return { iri, label: label || (iri ? shortIri(iri) : null) };
}

// One point per distinct position: the rows there (say, each event at a place) are listed in its popup.
export function findPoints(vars, rows) {
  const wktVars = vars.filter((v) => rows.some((r) => r[v] && r[v].type === "literal" && (r[v].datatype === WKT || POINT.test(r[v].value))));
  const latVar = vars.find((v) => LAT.test(v));
  const lonVar = vars.find((v) => LON.test(v));
  const points = new Map();
  for (const row of rows) {
    const coords = [];
    for (const v of wktVars) {
      const p = row[v] ? wktPoint(row[v].value) : null;
      if (p) {
        coords.push([p, new Set([v])]);
      }
    }
    if (!coords.length && latVar && lonVar && row[latVar] && row[lonVar]) {
      const lat = Number(row[latVar].value);
      const lon = Number(row[lonVar].value);
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        coords.push([[lon, lat], new Set([latVar, lonVar])]);
      }
    }
    for (const [[lon, lat], skip] of coords) {
      const about = describe(row, vars, skip);
      const key = `${lon}|${lat}`;
      const point = points.get(key) || { lat, lon, items: [], rows: 0 };
      point.rows += 1;
      if (!point.items.some((i) => i.iri === about.iri && i.label === about.label)) {
        point.items.push(about);
      }
      points.set(key, point);
    }
  }
  return [...points.values()].map((p) => ({
    lat: p.lat,
    lon: p.lon,
    iri: p.items[0].iri,
    label: (p.items[0].label || "") + (p.items.length > 1 ? ` (+${p.items.length - 1})` : ""),
    items: p.items,
    rows: p.rows,
    details: [`${p.rows} row${p.rows === 1 ? "" : "s"} at ${p.lat}, ${p.lon}`],
  }));
}

// One timeline item per row and date column.
export function findDates(vars, rows) {
  const dateVars = vars.filter((v) => rows.some((r) => r[v] && r[v].type === "literal" && DATE_TYPES.has(r[v].datatype)));
  const items = [];
  for (const row of rows) {
    for (const v of dateVars) {
      if (row[v] && DATE_TYPES.has(row[v].datatype)) {
        const skip = new Set([v]);
        const { iri, label } = describe(row, vars, skip);
        items.push({ time: parseDate(row[v].value), iri, label: label || row[v].value, detail: "?" + v });
      }
    }
  }
  return items;
}

// The columns a bar chart can group by (IRIs or plain literals) and the numeric columns it can sum.
export function chartColumns(vars, rows) {
  const sample = rows.slice(0, 500);
  const numeric = vars.filter((v) => sample.some((r) => isNumeric(r[v])) && sample.every((r) => !r[v] || isNumeric(r[v])));
  const groups = vars.filter((v) => !numeric.includes(v) && sample.some((r) => r[v]));
  return { groups, numeric };
}

// [{label, value, iri}]: per distinct value of `groupVar`, the sum of `valueVar` or the row count.
export function groupCounts(vars, rows, groupVar, valueVar) {
  const totals = new Map();
  for (const row of rows) {
    const term = row[groupVar];
    const key = term ? term.value : "(none)";
    const iri = term && term.type === "uri" ? term.value : null;
    const entry = totals.get(key) || { label: iri ? shortIri(iri) : key, value: 0, iri };
    entry.value += valueVar ? Number(row[valueVar] ? row[valueVar].value : 0) || 0 : 1;
    totals.set(key, entry);
  }
  return [...totals.values()];
}
