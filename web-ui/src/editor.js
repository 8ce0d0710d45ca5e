// The SPARQL editor of /query: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes,
// completion of our prefixes and ontology terms, and diagnostics at the position the endpoint names.
// Bundled by build.mjs into src/conflictkg/web/static/vendor/editor.js as the global `ConflictkgEditor`.
// CodeMirror needs no eval, so it runs under `script-src 'self'`. Its styles are generated at run time:
// in a document they would go into <style> elements, which a CSP without 'unsafe-inline' blocks; in a
// shadow root they go into constructed style sheets (adoptedStyleSheets), which CSP allows. So the
// editor lives in a shadow root of its host element.
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";

const PREFIXED_NAME = /([A-Za-z][\w.-]*)?:[\w.-]*$/;
const PREFIX_DECL = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi;

// The prefixes a query declares, {name: namespace}.
function declaredPrefixes(text) {
  const found = {};
  for (const m of text.matchAll(PREFIX_DECL)) {
    found[m[1] || ""] = m[2];
  }
  return found;
}

// Completion: after `name:` offer the terms of that namespace (ontology terms first); elsewhere offer
// prefix names, and picking one adds its PREFIX line when the query lacks it.
function completionSource(prefixes, terms) {
  return function (context) {
    const word = context.matchBefore(PREFIXED_NAME);
    const text = context.state.doc.toString();
    const declared = declaredPrefixes(text);
    if (word && word.text.includes(":")) {
      const prefix = word.text.slice(0, word.text.indexOf(":"));
      const namespace = declared[prefix] || prefixes[prefix];
      if (!namespace) {
        return null;
      }
      const options = terms
        .filter((t) => t.iri.startsWith(namespace) && t.iri.length > namespace.length)
        .map((t) => ({
          label: prefix + ":" + t.iri.slice(namespace.length),
          detail: t.kind,
          info: t.label + (t.comment ? " — " + t.comment : ""),
          type: t.kind === "class" ? "class" : t.kind === "concept" ? "constant" : "property",
          apply: withPrefix(prefix, namespace, prefix + ":" + t.iri.slice(namespace.length)),
        }));
      return { from: word.from, options, validFor: /^[\w.:-]*$/ };
    }
    const bare = context.matchBefore(/[A-Za-z][\w-]*$/);
    if (!bare && !context.explicit) {
      return null;
    }
    const options = Object.entries(prefixes).map(([name, namespace]) => ({
      label: name + ":",
      detail: namespace,
      type: "namespace",
      apply: withPrefix(name, namespace, name + ":"),
      boost: name === "ckg" ? 2 : 0,
    }));
    return { from: bare ? bare.from : context.pos, options, validFor: /^[\w-]*$/ };
  };
}

// Inserts `insert` and, when the query does not declare `prefix`, a PREFIX line at its top.
function withPrefix(prefix, namespace, insert) {
  return function (view, completion, from, to) {
    const text = view.state.doc.toString();
    const changes = [{ from, to, insert }];
    let cursor = from + insert.length;
    if (!(prefix in declaredPrefixes(text))) {
      const line = "PREFIX " + prefix + ": <" + namespace + ">\n";
      changes.push({ from: insertionPoint(text), insert: line });
      cursor += line.length;
    }
    view.dispatch({ changes, selection: { anchor: cursor } });
  };
}

// After the last PREFIX/BASE line, else after the leading comment lines (the question stays first).
function insertionPoint(text) {
  let point = 0;
  let offset = 0;
  let sawPrefix = false;
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (/^(PREFIX|BASE)\b/i.test(trimmed)) {
      point = offset + line.length + 1;
      sawPrefix = true;
    } else if (!sawPrefix && trimmed.startsWith("#")) {
      point = offset + line.length + 1;
    } else if (trimmed) {
      break;
    }
    offset += line.length + 1;
  }
  return Math.min(point, text.length);
}

const layout = EditorView.theme({
  "&": { minHeight: "16rem", maxHeight: "32rem", fontSize: "0.9rem", backgroundColor: "#fff", border: "1px solid #d9dde1" },
  "&.cm-focused": { outline: "3px solid #2b6cb0" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', overflow: "auto" },
  ".cm-content, .cm-gutter": { minHeight: "16rem" },
});

// Creates the editor in a shadow root of `host`. options: {doc, prefixes, terms, onRun, onChange, label}.
export function createEditor(host, options) {
  const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
  const parent = document.createElement("div");
  shadow.replaceChildren(parent);
  const run = () => {
    options.onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    root: shadow,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        Prec.highest(keymap.of([
          { key: "Mod-Enter", run },
          { key: "Shift-Enter", run },
        ])),
        layout,
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [completionSource(options.prefixes || {}, options.terms || [])] }),
        lintGutter(),
        placeholder("SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        keymap.of([
          ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap,
        ]),
        // Escape then Tab leaves the editor (CodeMirror's own convention); Tab alone indents.
        keymap.of([indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": options.label || "SPARQL query" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && options.onChange) {
            options.onChange(update.state.doc.toString());
          }
        }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    // Marks line:column (1-based, as the endpoint reports them) with `message`.
    showError(line, column, message) {
      const doc = view.state.doc;
      const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
      const from = Math.min(l.from + Math.max(0, column - 1), l.to);
      const to = Math.min(from + 1, doc.length);
      view.dispatch(setDiagnostics(view.state, [{ from, to: Math.max(to, from), severity: "error", message }]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },
    clearErrors() {
      view.dispatch(setDiagnostics(view.state, []));
    },
  };
}
