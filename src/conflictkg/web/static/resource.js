// Resource pages: the place's (or the event's) map over the offline base layer, and the timeline of
// related events as SVG. The server-rendered SVG map and event list stay in the page for readers
// without JavaScript; this replaces the SVG map with the interactive one.
import { pointsMap } from "./geomap.js";
import { drawTimeline, parseDate } from "./charts.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
// Links on this page come from the server as local paths or checked IRIs (`href`), never built here.
const canonicalBase = null;

async function drawMap() {
  if (!data.points.length) {
    return;
  }
  let box = document.getElementById("page-map");
  const figure = document.querySelector("figure.map");
  if (!box && figure) {
    box = document.createElement("div");
    box.id = "page-map";
    box.className = "leaflet-box small";
    figure.prepend(box);
    figure.querySelector("svg.map").classList.add("replaced");
    figure.querySelector("figcaption").textContent =
      "The large dot is this place; the others are its parent, children and siblings. " +
      "Outlines of countries and first-level divisions: Natural Earth.";
  }
  if (!box) {
    return;
  }
  box.hidden = false;
  await pointsMap(box, data.points, canonicalBase, { maxFitZoom: 10, scrollWheelZoom: false });
}

function drawEventTimeline() {
  const holder = document.getElementById("page-timeline");
  if (!holder || !data.events.length) {
    return;
  }
  const items = data.events.map((e) => ({
    time: e.date ? parseDate(e.date) : null,
    label: e.label,
    href: e.relation === "this" ? null : e.href,
    detail: e.relation,
    current: e.relation === "this",
  }));
  drawTimeline(holder, items, canonicalBase, document.querySelector(".place-events") ? "Events here" : "Related events");
}

drawEventTimeline();
drawMap().finally(() => { document.body.dataset.ready = "true"; });
