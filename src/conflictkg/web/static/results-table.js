// The results table of /query: one page of rows in the DOM at a time, sorting on any column, a pager.
// With 10,000 rows only the current page (at most 500 rows) is ever rendered, so the tab stays
// responsive. Values are inserted with textContent; IRIs become links only through links.js.
import { iriElement } from "./links.js";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte",
  "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
  "unsignedLong", "unsignedShort", "unsignedByte"].map((t) => XSD + t));
export const PAGE_SIZES = [25, 100, 500];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const n = (count) => count.toLocaleString("en");

export function isNumeric(term) {
  return Boolean(term && term.type === "literal" && NUMERIC.has(term.datatype));
}

// Sort key comparison: empty cells last, numbers by value, everything else by collated text.
function compareTerms(a, b) {
  if (!a || !b) {
    return a ? -1 : b ? 1 : 0;
  }
  if (isNumeric(a) && isNumeric(b)) {
    return Number(a.value) - Number(b.value);
  }
  return collator.compare(a.value, b.value);
}

function cell(term, canonicalBase) {
  const td = document.createElement("td");
  if (!term) {
    return td;
  }
  if (term.type === "uri") {
    td.appendChild(iriElement(term.value, canonicalBase));
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
    td.className = "bnode";
  } else if (term.type === "triple") {
    td.textContent = "<< " + ["subject", "predicate", "object"].map((k) => (term.value[k] || {}).value).join(" ") + " >>";
  } else {
    td.textContent = term.value;
    if (isNumeric(term)) {
      td.className = "num";
    }
    const tag = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? shortType(term.datatype) : null;
    if (tag) {
      const span = document.createElement("span");
      span.className = term["xml:lang"] ? "lang" : "datatype";
      span.textContent = tag;
      td.appendChild(span);
    }
  }
  return td;
}

function shortType(datatype) {
  if (datatype.startsWith(XSD)) {
    return "xsd:" + datatype.slice(XSD.length);
  }
  return datatype === "http://www.opengis.net/ont/geosparql#wktLiteral" ? "geo:wktLiteral" : "^^" + datatype;
}

export class ResultsTable {
  constructor(container, vars, rows, canonicalBase) {
    this.container = container;
    this.vars = vars;
    this.rows = rows;
    this.order = rows.map((_, i) => i);
    this.canonicalBase = canonicalBase;
    this.sortVar = null;
    this.descending = false;
    this.page = 0;
    this.pageSize = rows.length > 1000 ? 100 : 25;
    this.render();
  }

  get pages() {
    return Math.max(1, Math.ceil(this.rows.length / this.pageSize));
  }

  sortBy(variable) {
    this.descending = this.sortVar === variable ? !this.descending : false;
    this.sortVar = variable;
    const sign = this.descending ? -1 : 1;
    const rows = this.rows;
    // Stable: ties keep the endpoint's order.
    this.order = rows.map((_, i) => i).sort((i, j) => sign * compareTerms(rows[i][variable], rows[j][variable]) || i - j);
    this.page = 0;
    this.render(variable);
  }

  goTo(page) {
    this.page = Math.min(Math.max(0, page), this.pages - 1);
    this.render();
  }

  render(focusVar) {
    const table = document.createElement("table");
    table.className = "results";
    const caption = document.createElement("caption");
    caption.className = "visually-hidden";
    caption.textContent = "Query results; column headers sort.";
    table.appendChild(caption);
    const head = table.createTHead().insertRow();
    for (const v of this.vars) {
      const th = document.createElement("th");
      th.scope = "col";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.dataset.var = v;
      button.textContent = "?" + v;
      if (this.sortVar === v) {
        th.setAttribute("aria-sort", this.descending ? "descending" : "ascending");
        button.append(this.descending ? " ▼" : " ▲");
      }
      button.addEventListener("click", () => this.sortBy(v));
      th.appendChild(button);
      head.appendChild(th);
    }
    const body = table.createTBody();
    const start = this.page * this.pageSize;
    for (const index of this.order.slice(start, start + this.pageSize)) {
      const tr = body.insertRow();
      const row = this.rows[index];
      for (const v of this.vars) {
        tr.appendChild(cell(row[v], this.canonicalBase));
      }
    }
    this.container.replaceChildren(table, this.pager());
    if (focusVar) {
      this.container.querySelector(`button.sort[data-var="${CSS.escape(focusVar)}"]`).focus();
    }
  }

  pager() {
    const nav = document.createElement("nav");
    nav.className = "pager";
    nav.setAttribute("aria-label", "Result pages");
    const first = this.page * this.pageSize + 1;
    const last = Math.min(this.rows.length, (this.page + 1) * this.pageSize);
    const button = (label, name, page, disabled) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.className = "page-" + name;
      b.disabled = disabled;
      b.setAttribute("aria-label", name + " page");
      b.addEventListener("click", () => {
        this.goTo(page);
        const again = this.container.querySelector(".page-" + name);
        (again.disabled ? this.container.querySelector(".pager button:not(:disabled)") || again : again).focus();
      });
      return b;
    };
    const info = document.createElement("span");
    info.className = "page-info";
    info.textContent = this.rows.length
      ? `rows ${n(first)}–${n(last)} of ${n(this.rows.length)} · page ${n(this.page + 1)} of ${n(this.pages)}`
      : "no rows";
    const size = document.createElement("select");
    size.className = "page-size";
    size.setAttribute("aria-label", "Rows per page");
    for (const n of PAGE_SIZES) {
      const option = document.createElement("option");
      option.value = String(n);
      option.textContent = n + " per page";
      option.selected = n === this.pageSize;
      size.appendChild(option);
    }
    size.addEventListener("change", () => {
      const firstRow = this.page * this.pageSize;
      this.pageSize = Number(size.value);
      this.page = Math.floor(firstRow / this.pageSize);
      this.render();
      this.container.querySelector(".page-size").focus();
    });
    nav.append(
      button("« First", "first", 0, this.page === 0),
      button("‹ Previous", "previous", this.page - 1, this.page === 0),
      info,
      button("Next ›", "next", this.page + 1, this.page >= this.pages - 1),
      button("Last »", "last", this.pages - 1, this.page >= this.pages - 1),
      size,
    );
    return nav;
  }
}
