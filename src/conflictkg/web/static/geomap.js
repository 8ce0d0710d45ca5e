// Offline maps: Leaflet over a base layer shipped in the package (Natural Earth country outlines, and
// first-level divisions such as governorates loaded per country once zoomed in), no tile server.
// Many points are clustered with leaflet.markercluster. Labels and popups are built with textContent.
/* global L, topojson */
import { linkOf } from "./links.js";

const BASEMAP = "/static/vendor/basemap/";
const ADMIN1_ZOOM = 5;
const CLUSTER_FROM = 50;

let countries = null;
let admin1Index = null;
const admin1Cache = new Map();

async function json(path) {
  const response = await fetch(BASEMAP + path);
  if (!response.ok) {
    throw new Error(path + ": " + response.status);
  }
  return response.json();
}

function countriesLayer() {
  countries = countries || json("countries.json").then((t) => topojson.feature(t, t.objects.countries));
  return countries;
}

// Zoomed in, each country in view is drawn from its first-level divisions: the divisions dashed, their
// union as the country's outline. The 1:110m world layer is only for the view of continents: it is cheap
// to redraw, where a detailed world layer costs seconds of re-projection on every zoom.
async function addAdmin1(map, layers, loaded) {
  admin1Index = admin1Index || json("admin1/index.json");
  const index = await admin1Index;
  const view = map.getBounds();
  for (const [code, entry] of Object.entries(index)) {
    const [w, s, e, n] = entry.bbox;
    if (loaded.has(code) || !view.intersects(L.latLngBounds([s, w], [n, e]))) {
      continue;
    }
    loaded.add(code);
    if (!admin1Cache.has(code)) {
      admin1Cache.set(code, json(`admin1/${code}.json`).then((t) => {
        const object = Object.values(t.objects)[0];
        return { divisions: topojson.feature(t, object), outline: topojson.merge(t, object.geometries) };
      }));
    }
    admin1Cache.get(code).then((shapes) => {
      layers.land.addData(shapes.outline);
      layers.divisions.addData(shapes.divisions);
      const container = map.getContainer();
      container.dataset.countries = String(Number(container.dataset.countries || 0) + 1);
    }).catch(() => loaded.delete(code));
  }
}

const LAND = { color: "#8c8c7a", weight: 1, fillColor: "#f4f1e6", fillOpacity: 1 };

// A map in `element` with the offline base layer; resolves when the world outlines are drawn.
export async function baseMap(element, options = {}) {
  const map = L.map(element, {
    preferCanvas: true,
    worldCopyJump: true,
    minZoom: 1,
    maxZoom: 14,
    attributionControl: true,
    keyboard: true,
    ...options,
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth (public domain)");
  map.setView([20, 20], 2);
  // The base layer has a pane (and so a canvas) of its own under the data, whatever loads last.
  map.createPane("basemap").style.zIndex = "250";
  const base = { interactive: false, pane: "basemap" };
  const world = L.geoJSON(null, { ...base, style: LAND });
  const detail = {
    land: L.geoJSON(null, { ...base, style: LAND }),
    divisions: L.geoJSON(null, { ...base, style: { color: "#a29f8c", weight: 0.8, dashArray: "3 3", fill: false } }),
  };
  const loaded = new Set();
  const refresh = () => {
    const near = map.getZoom() >= ADMIN1_ZOOM;
    for (const layer of [detail.land, detail.divisions]) {
      if (near && !map.hasLayer(layer)) {
        layer.addTo(map);
      } else if (!near && map.hasLayer(layer)) {
        layer.remove();
      }
    }
    if (near && map.hasLayer(world)) {
      world.remove();
    } else if (!near && !map.hasLayer(world)) {
      world.addTo(map);
    }
    if (near) {
      addAdmin1(map, detail, loaded).catch(() => {});
    }
  };
  map.on("moveend", refresh);
  world.addData(await countriesLayer());
  refresh();
  element.dataset.basemap = "ready";
  return { map, refresh };
}

const POPUP_ITEMS = 12;

// A popup body: each item at the point (a link where its IRI may be one), then any further lines, as text.
function popup(point, canonicalBase) {
  const div = document.createElement("div");
  const items = point.items || [point];
  const list = document.createElement("ul");
  list.className = "popup-items";
  for (const item of items.slice(0, POPUP_ITEMS)) {
    const li = document.createElement("li");
    const href = linkOf(item, canonicalBase);
    const title = document.createElement(href ? "a" : "span");
    title.textContent = item.label || item.iri || `${point.lat}, ${point.lon}`;
    if (href) {
      title.href = href;
    }
    li.appendChild(title);
    list.appendChild(li);
  }
  if (items.length > POPUP_ITEMS) {
    const li = document.createElement("li");
    li.textContent = `and ${items.length - POPUP_ITEMS} more`;
    list.appendChild(li);
  }
  div.appendChild(list);
  for (const line of point.details || []) {
    const p = document.createElement("div");
    p.className = "popup-detail";
    p.textContent = line;
    div.appendChild(p);
  }
  return div;
}

// Draws `points` ([{lat, lon, label, iri, details, role}]) on a new map in `element`; clusters from 50
// points. Returns the Leaflet map.
export async function pointsMap(element, points, canonicalBase, options = {}) {
  const { map, refresh } = await baseMap(element, options);
  const cluster = points.length >= CLUSTER_FROM;
  const group = cluster ? L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false }) : L.featureGroup();
  const markers = points.map((p) => {
    const marker = cluster
      ? L.marker([p.lat, p.lon], { title: p.label || "", alt: p.label || "point" })
      : L.circleMarker([p.lat, p.lon], {
        radius: p.role === "self" ? 8 : 6,
        color: "#fff",
        weight: 1.5,
        fillColor: p.role === "self" ? "#8a2d1c" : "#1f4e8c",
        fillOpacity: 0.9,
      });
    marker.bindPopup(() => popup(p, canonicalBase));
    if (p.label && !cluster) {
      // Leaflet writes a string tooltip as HTML: hand it a text node instead.
      marker.bindTooltip(document.createTextNode(p.label), { permanent: points.length <= 12, direction: "right", className: "map-label" });
    }
    return marker;
  });
  // Frame the points first, then put the group on the map and add to it: markercluster then clusters
  // in chunks between frames, at the final zoom, instead of all at once.
  if (points.length) {
    const bounds = L.latLngBounds(points.map((p) => [p.lat, p.lon]));
    map.fitBounds(bounds.pad(0.3), { maxZoom: options.maxFitZoom || 9, animate: false });
  }
  group.addTo(map);
  if (cluster) {
    group.addLayers(markers);
  } else {
    markers.forEach((m) => group.addLayer(m));
  }
  refresh();
  element.dataset.points = String(points.length);
  return map;
}
