// Builds quizapp/static/editor.bundle.js (and its licence notices) from this folder: `make assets`, or `npm run build`.
//
// The bundle's first line carries a digest of what it was built from (this folder's files
// and the locked versions of the Node packages other than axe-core);
// tests/browser/test_editor_widget.py recomputes it, so a source changed without a rebuild
// fails the tests rather than shipping the old editor.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const outfile = join(root, "quizapp", "static", "editor.bundle.js");
const licences = join(root, "quizapp", "static", "editor.bundle.LICENSES.txt");

export function sourceDigest() {
  const hash = createHash("sha256");
  for (const name of readdirSync(here).sort()) {
    const path = join(here, name);
    if (!statSync(path).isFile()) continue;
    hash.update(Buffer.from(name + "\0", "utf8"));
    hash.update(readFileSync(path));
    hash.update(Buffer.from("\0", "utf8"));
  }
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const versions = {};
  for (const path of Object.keys(lock.packages).sort()) {
    if (path.startsWith("node_modules/") && path !== "node_modules/axe-core") versions[path] = lock.packages[path].version;
  }
  hash.update(Buffer.from(JSON.stringify(versions), "utf8"));
  return hash.digest("hex");
}

const result = await esbuild.build({
  entryPoints: [join(here, "main.js")],
  outfile,
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  legalComments: "none", // the notices go to editor.bundle.LICENSES.txt
  metafile: true,
  banner: {
    js: `/* quizapp bank editor, built by \`make assets\` from quizapp/static/editor/; do not edit. ` +
      `Licences: editor.bundle.LICENSES.txt. source-digest: ${sourceDigest()} */`,
  },
  logLevel: "info",
});

// One notice per bundled package, as their MIT licences ask of copies.
const packages = new Map();
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  if (!bytesInOutput) continue; // imported, then shaken out
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.split(sep).join("/"));
  if (match) packages.set(match[1], join(root, "node_modules", match[1]));
}
const notices = [...packages.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dir]) => {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((entry) => /^licen[sc]e/i.test(entry));
  const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${meta.license}`;
  return `${name} ${meta.version}\n${"-".repeat(name.length + meta.version.length + 1)}\n${text}\n`;
});
writeFileSync(
  licences,
  `Third-party code in ${relative(join(root, "quizapp", "static"), outfile)}\n\n${notices.join("\n")}`,
);
