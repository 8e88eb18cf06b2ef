// How the bank editor looks, light and dark, from the page's own colour variables where it has them.
import { EditorView } from "@codemirror/view";
import { HighlightStyle } from "@codemirror/language";
import { tags } from "@lezer/highlight";

// Adopted by the editor's shadow root. The editor follows prefers-color-scheme on its own
// palette; the light one takes the page's custom properties (style.css) when they are there.
// Every colour pair keeps 4.5:1 contrast, on the active line's background too.
export const HOST_CSS = `
:host {
  display: block;
  margin: 0.25rem 0 0;
  --ed-text: var(--text, #1b1f24);
  --ed-bg: var(--bg, #ffffff);
  --ed-muted: var(--muted, #4b5563);
  --ed-gutter: var(--panel, #f4f6f8);
  --ed-rule: var(--line, #d0d7de);
  --ed-border: #6b7280;
  --ed-focus: var(--focus, #f59e0b);
  --ed-active: #eef3fd;
  --ed-selection: #c7d7fb;
  --ed-key: #1d4ed8;
  --ed-string: #166534;
  --ed-meta: #7e22ce;
  --ed-label: #9a3412;
}
@media (prefers-color-scheme: dark) {
  :host {
    --ed-text: #e6edf3;
    --ed-bg: #0d1117;
    --ed-muted: #a1a9b4;
    --ed-gutter: #161b22;
    --ed-rule: #30363d;
    --ed-border: #6e7681;
    --ed-active: #1a2332;
    --ed-selection: #264f78;
    --ed-key: #79c0ff;
    --ed-string: #7ee787;
    --ed-meta: #d2a8ff;
    --ed-label: #ffa657;
  }
}
.keys, .note { margin: 0.35rem 0 0; font-size: 0.95rem; color: var(--muted, #4b5563); }
.note { font-weight: 600; }
.note:empty { margin: 0; }
`;

export const editorTheme = EditorView.theme({
  "&": {
    color: "var(--ed-text)",
    backgroundColor: "var(--ed-bg)",
    border: "2px solid var(--ed-border)",
    borderRadius: "6px",
    fontSize: "0.95rem",
    maxHeight: "70vh",
  },
  "&.cm-focused": { outline: "3px solid var(--ed-focus)", outlineOffset: "2px" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: "1.5",
    overflow: "auto",
    borderRadius: "4px",
  },
  ".cm-content, .cm-gutter": { minHeight: "18rem" },
  ".cm-content": { caretColor: "var(--ed-text)", padding: "0.5rem 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--ed-text)" },
  ".cm-gutters": {
    backgroundColor: "var(--ed-gutter)",
    color: "var(--ed-muted)",
    borderRight: "1px solid var(--ed-rule)",
  },
  ".cm-activeLine": { backgroundColor: "var(--ed-active)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--ed-active)", color: "var(--ed-text)" },
  ".cm-content ::selection, .cm-line::selection": { backgroundColor: "var(--ed-selection)" },
  ".cm-matchingBracket": { outline: "1px solid var(--ed-muted)", backgroundColor: "transparent" },
  ".cm-panels": { backgroundColor: "var(--ed-gutter)", color: "var(--ed-text)" },
  ".cm-tooltip": { backgroundColor: "var(--ed-bg)", color: "var(--ed-text)", borderColor: "var(--ed-rule)" },
  ".cm-diagnosticText": { whiteSpace: "pre-wrap" },
});

// lang-yaml tags keys, quoted strings, block scalars' headers, anchors, tags and comments;
// plain scalars stay in the text colour.
export const highlighting = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--ed-key)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--ed-string)" },
  { tag: [tags.meta, tags.keyword, tags.typeName], color: "var(--ed-meta)" },
  { tag: tags.labelName, color: "var(--ed-label)" },
  { tag: tags.lineComment, color: "var(--ed-muted)", fontStyle: "italic" },
  { tag: tags.separator, color: "var(--ed-muted)" },
]);
