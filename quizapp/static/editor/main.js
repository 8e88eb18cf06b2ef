// The question-bank editor: CodeMirror over form#bank-editor's <textarea id="bank-yaml">, checked and previewed by the server.
//
// Without this script the textarea and the form's buttons work on their own; with it the
// textarea is hidden and kept equal to the editor's text, so the form still posts it.
//
// Keyboard: Tab and Shift-Tab indent and outdent (a YAML bank is all indentation). To move
// focus out of the editor press Escape, then Tab (CodeMirror's tab-focus mode; Ctrl-M, or
// Shift-Alt-M on macOS, toggles it for good). The page says so under the editor.
//
// CodeMirror writes its styles at run time. In a document it would use a <style> element,
// which the app's Content-Security-Policy (style-src 'self') refuses; in a shadow root it
// uses constructed style sheets (adoptedStyleSheets), which the policy does not cover. So
// the editor lives in a shadow root, and the textarea stays in place where no browser
// support for those is found.
import { Compartment, EditorState } from "@codemirror/state";
import {
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { forEachDiagnostic, lintGutter, lintKeymap, linter } from "@codemirror/lint";
import { search, searchKeymap } from "@codemirror/search";

import { isWarning, placeTemplate, problemRange, summarize } from "./blocks.js";
import { HOST_CSS, editorTheme, highlighting } from "./theme.js";

/** Quiet time after the last keystroke before the text is checked, in milliseconds. */
const VALIDATE_DELAY = 500;
/** Quiet time after the cursor reaches another line before the preview follows it. */
const PREVIEW_DELAY = 300;
const CANNOT_CHECK = "Could not check right now. Your text is unchanged; it is checked again when you type.";
const KEYS_HINT = "Tab indents a line. To leave the editor, press Esc, then Tab.";

const supported = () =>
  "adoptedStyleSheets" in ShadowRoot.prototype && typeof CSSStyleSheet.prototype.replaceSync === "function";

function enhance(form, textarea) {
  const csrfToken = () => form.querySelector('input[name="csrf_token"]')?.value ?? "";
  const validateUrl = textarea.dataset.validateUrl;
  const previewUrl = textarea.dataset.previewUrl;
  const preview = document.getElementById("preview");
  const label = document.querySelector('label[for="bank-yaml"]');
  const name = label?.textContent.trim() || textarea.getAttribute("aria-label") || "Question bank (YAML)";

  // The editor, its keyboard hint and its status note, in a shadow root (see the top).
  const host = document.createElement("div");
  host.className = "code-editor";
  textarea.after(host);
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(HOST_CSS);
  root.adoptedStyleSheets = [sheet];
  const frame = document.createElement("div");
  const keys = document.createElement("p");
  keys.className = "keys";
  keys.id = "keys";
  keys.textContent = KEYS_HINT;
  const note = document.createElement("p");
  note.className = "note";
  note.setAttribute("role", "status");
  root.append(frame, keys, note);
  const say = (text, kind = "") => {
    note.textContent = text;
    note.dataset.kind = kind;
  };

  // The problem summary and list the server renders without JavaScript; made when absent.
  let summary = document.getElementById("problem-summary");
  if (!summary) {
    summary = document.createElement("p");
    summary.id = "problem-summary";
    host.after(summary);
  }
  if (!summary.hasAttribute("aria-live") && !summary.hasAttribute("role")) summary.setAttribute("aria-live", "polite");
  let list = document.getElementById("problem-list");
  if (!list) {
    list = document.createElement("ul");
    list.id = "problem-list";
    list.hidden = true;
    summary.after(list);
  }

  const post = async (url, body, signal) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      signal,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  };

  const lineOf = (state) => state.doc.lineAt(state.selection.main.head).number;

  // Preview: the server renders the question on the cursor's line.
  let previewTimer = 0;
  let previewAbort = null;
  let previewLine = 0;
  const showPreview = async () => {
    previewAbort?.abort();
    const abort = (previewAbort = new AbortController());
    previewLine = lineOf(view.state);
    try {
      const answer = await post(previewUrl, { yaml: view.state.doc.toString(), line: previewLine }, abort.signal);
      if (abort === previewAbort && typeof answer?.html === "string") preview.innerHTML = answer.html; // escaped by the server
    } catch {
      // the last preview stays; a server that cannot be reached is reported by the check
    }
  };
  const schedulePreview = (delay) => {
    if (!previewUrl || !preview) return;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(showPreview, delay);
  };

  // Validation: the server's problems become lint diagnostics, the summary and the list.
  const problemItem = (problem) => {
    const warning = isWarning(problem);
    const item = document.createElement("li");
    item.className = warning ? "problem problem-warning" : "problem problem-error";
    const link = document.createElement("a");
    link.href = `#L${problem.line}`;
    link.dataset.column = problem.column;
    link.textContent = `Line ${problem.line}, column ${problem.column}`;
    item.append(link, `: ${warning ? "Warning" : "Error"}: ${problem.message}`);
    return item;
  };
  const report = (problems) => {
    const text = summarize(problems);
    if (summary.textContent !== text) summary.textContent = text; // the same news is not announced twice
    list.replaceChildren(...problems.map(problemItem));
    list.hidden = problems.length === 0;
  };
  const shown = (state) => {
    const diagnostics = [];
    forEachDiagnostic(state, (diagnostic, from, to) => diagnostics.push({ ...diagnostic, from, to }));
    return diagnostics;
  };
  let validateAbort = null;
  const validate = async (view) => {
    validateAbort?.abort();
    const abort = (validateAbort = new AbortController());
    const doc = view.state.doc;
    let answer;
    try {
      answer = await post(validateUrl, { yaml: doc.toString() }, abort.signal);
      if (!Array.isArray(answer?.problems)) throw new Error("the answer has no problems list");
    } catch {
      if (!abort.signal.aborted) say(CANNOT_CHECK, "failure");
      return shown(view.state); // keep the marks already there
    }
    if (abort !== validateAbort || view.state.doc !== doc) return shown(view.state); // a newer check is coming
    if (note.dataset.kind === "failure") say("");
    report(answer.problems);
    schedulePreview(0);
    return answer.problems.map((problem) => ({
      ...problemRange(doc, problem),
      severity: isWarning(problem) ? "warning" : "error",
      message: String(problem.message),
      source: `line ${problem.line}, column ${problem.column}`,
    }));
  };

  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const scheme = new Compartment();
  const readOnly = textarea.readOnly || textarea.disabled;
  const view = new EditorView({
    root,
    parent: frame,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        bracketMatching(),
        highlightActiveLine(),
        EditorState.tabSize.of(2),
        indentUnit.of("  "),
        EditorView.lineWrapping,
        yaml(),
        syntaxHighlighting(highlighting),
        validateUrl ? linter(validate, { delay: VALIDATE_DELAY }) : [],
        lintGutter(),
        search({ top: true }),
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap]),
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
        // tabindex: axe counts only focusable elements as reaching the scroll area
        EditorView.contentAttributes.of({ "aria-label": name, "aria-describedby": "keys", tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
          if ((update.docChanged || update.selectionSet) && lineOf(update.state) !== previewLine) {
            schedulePreview(PREVIEW_DELAY);
          }
        }),
        editorTheme,
        scheme.of(EditorView.darkTheme.of(dark.matches)),
      ],
    }),
  });
  dark.addEventListener("change", () => view.dispatch({ effects: scheme.reconfigure(EditorView.darkTheme.of(dark.matches)) }));

  textarea.style.display = "none";
  textarea.required = false; // a hidden control cannot show the browser's message; the server says what is missing
  textarea.dataset.enhanced = "true";

  const goTo = (lineNumber, column = 1) => {
    const line = view.state.doc.line(Math.min(Math.max(lineNumber, 1), view.state.doc.lines));
    const pos = line.from + Math.min(Math.max(column - 1, 0), line.length);
    view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
    view.focus();
  };

  // Links to lines in the problem list (#L12), and to the textarea (an error summary's #bank-yaml).
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link) return;
    const href = link.getAttribute("href");
    const line = /^#L(\d+)$/.exec(href);
    if (line && link.closest("#problem-list")) {
      event.preventDefault();
      goTo(Number(line[1]), Number(link.dataset.column) || 1);
    } else if (href === "#bank-yaml") {
      event.preventDefault();
      host.scrollIntoView({ block: "nearest" });
      view.focus();
    }
  });
  label?.addEventListener("click", (event) => {
    event.preventDefault();
    view.focus();
  });

  // Template buttons insert the question here rather than asking the server to append it.
  form.addEventListener("click", (event) => {
    const button = event.target.closest?.('button[name="insert"]');
    const template = button && document.getElementById(`question-template-${button.value}`);
    if (readOnly || !(template instanceof HTMLTemplateElement)) return;
    event.preventDefault();
    const state = view.state;
    const place = placeTemplate(state.doc.toString(), lineOf(state), template.content.textContent);
    view.dispatch({
      changes: { from: place.from, insert: place.insert },
      selection: { anchor: place.anchor, head: place.head },
      scrollIntoView: true,
      userEvent: "input.template",
    });
    view.focus();
    const at = view.state.doc.lineAt(place.from + (place.insert.startsWith("\n") ? 1 : 0)).number;
    say(`“${button.textContent.trim()}”: the new question starts at line ${at}, with its prompt selected.`);
  });

  form.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
  });
  return view;
}

function start() {
  const form = document.getElementById("bank-editor");
  const textarea = form?.querySelector("textarea#bank-yaml");
  if (!textarea || textarea.dataset.enhanced || !supported()) return;
  enhance(form, textarea);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
