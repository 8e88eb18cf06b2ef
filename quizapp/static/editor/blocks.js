// The plain-text rules of the bank editor: where a new question goes, what a problem marks, how problems are counted.

const BLANK = /^\s*$/;
const COMMENT = /^\s*#/;
const ITEM = /^ *-(?: |$)/;
const QUESTIONS_KEY = /^questions:\s*(?:#.*)?$/;

const indentOf = (line) => /^ */.exec(line)[0].length;

/**
 * The bank's `questions:` list, read line by line (0-based line numbers): the key's line,
 * the indentation of its items, and each item's first and last line. A question's last
 * line is its last line that is not blank; comments indented deeper than the items belong
 * to the question above them, the others to whatever follows. Null without the key.
 */
export function questionList(lines) {
  const keyLine = lines.findIndex((line) => QUESTIONS_KEY.test(line));
  if (keyLine < 0) return null;
  let itemIndent = null;
  const blocks = [];
  for (let i = keyLine + 1; i < lines.length; i++) {
    const line = lines[i];
    if (BLANK.test(line)) continue;
    const indent = indentOf(line);
    const item = ITEM.test(line);
    if (COMMENT.test(line)) {
      if (blocks.length && indent > itemIndent) blocks[blocks.length - 1].end = i;
      continue;
    }
    if (itemIndent === null) {
      if (!item) break; // `questions:` with no list under it
      itemIndent = indent;
    }
    if (indent < itemIndent || (indent === itemIndent && !item)) break; // the next top-level key
    if (indent === itemIndent) blocks.push({ start: i, end: i });
    else blocks[blocks.length - 1].end = i;
  }
  return { keyLine, itemIndent: itemIndent ?? 2, blocks };
}

/** The template's lines without their common indentation, indented by ``indent`` spaces; ends with a newline. */
export function reindent(template, indent) {
  const rows = template.replace(/\r\n?/g, "\n").split("\n");
  while (rows.length && BLANK.test(rows[0])) rows.shift();
  while (rows.length && BLANK.test(rows[rows.length - 1])) rows.pop();
  const common = Math.min(...rows.filter((row) => !BLANK.test(row)).map(indentOf));
  const pad = " ".repeat(indent);
  return rows.map((row) => (BLANK.test(row) ? "" : pad + row.slice(common))).join("\n") + "\n";
}

/**
 * Where a question template goes, as one change to ``text``, and what to select after it.
 *
 * The rule: the new question starts on the line after the question the cursor is in
 * (its last non-blank line), so it lands between that question and the next. With the
 * cursor above the first question, below the list (in a later key), or in a list with
 * no questions yet, it goes after the last question (or right under `questions:`). A
 * text without a `questions:` key gets one, with the question, at its end. The template
 * is re-indented to the list's item indentation (two spaces for a new list). The value
 * of its `prompt:` is selected (inside the quotes when quoted), so typing replaces it.
 *
 * ``cursorLine`` is 1-based. Returns {from, insert, anchor, head} in offsets of ``text``
 * after the change.
 */
export function placeTemplate(text, cursorLine, template) {
  const lines = text.split("\n");
  const list = questionList(lines);
  let before, body, from;
  if (!list) {
    before = text === "" || text.endsWith("\n") ? "" : "\n";
    body = "questions:\n" + reindent(template, 2);
    from = text.length;
  } else {
    const cursor = cursorLine - 1;
    const { blocks } = list;
    const current = blocks.filter((block) => block.start <= cursor).pop() ?? blocks[blocks.length - 1];
    const after = current ? current.end : list.keyLine;
    body = reindent(template, list.itemIndent);
    if (after + 1 < lines.length) {
      before = "";
      from = lines.slice(0, after + 1).reduce((sum, line) => sum + line.length + 1, 0);
    } else {
      before = "\n"; // the last line has no newline yet
      from = text.length;
    }
  }
  const insert = before + body;
  const start = from + before.length;
  const prompt = /^([ -]*prompt:[ \t]*)(.*?)[ \t]*$/m.exec(body);
  let anchor = start;
  let head = start;
  if (prompt) {
    const value = prompt[2];
    const lineStart = start + prompt.index;
    const quoted = /^(["']).*\1$/.test(value) && value.length >= 2;
    if (value && !/^[|>]/.test(value)) {
      anchor = lineStart + prompt[1].length + (quoted ? 1 : 0);
      head = lineStart + prompt[1].length + value.length - (quoted ? 1 : 0);
    } else {
      anchor = head = lineStart + prompt[0].length;
    }
  }
  return { from, insert, anchor, head };
}

/**
 * The offsets a server problem marks in a CodeMirror document: from its column (1-based)
 * to the end of the line's text; the whole line when the column is past the text. A line
 * past the end marks the last line.
 */
export function problemRange(doc, problem) {
  const number = Math.min(Math.max(Math.trunc(Number(problem.line)) || 1, 1), doc.lines);
  const line = doc.line(number);
  const text = line.text.replace(/\s+$/, "");
  let start = Math.max((Math.trunc(Number(problem.column)) || 1) - 1, 0);
  if (start >= text.length) start = text.length - text.trimStart().length;
  return { from: line.from + start, to: line.from + text.length };
}

export const isWarning = (problem) => problem.severity === "warning";

/** "2 errors, 1 warning", "1 error", "No problems found". */
export function summarize(problems) {
  const warnings = problems.filter(isWarning).length;
  const errors = problems.length - warnings;
  const parts = [];
  if (errors) parts.push(`${errors} ${errors === 1 ? "error" : "errors"}`);
  if (warnings) parts.push(`${warnings} ${warnings === 1 ? "warning" : "warnings"}`);
  return parts.length ? parts.join(", ") : "No problems found";
}
