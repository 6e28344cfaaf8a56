'use strict';
// What the HTTP servers answer beyond GET /, shared so that every server gives the same answer and the
// runner checks it against the same definition (src/requests.js):
//   GET  /json/<name>/<n>  -> 200 application/json {"name": name, "n": n, "double": 2n}  (n an integer)
//   POST /echo             -> 200 application/octet-stream, the request body
//   GET  /file-4k.txt      -> 200 text/plain, the 4 KiB file below, from each server's static-file service
//   GET  /page.jshtml      -> 200 text/html, a 20-row table rendered from a template per request (the template
//                             scenario): MicroWebSrv-TS renders page.jshtml by URL (mods-template); the peers
//                             render the same page written in Eta's own syntax, page.eta, with Eta
// The static file is generated (deterministic bytes, git-ignored) rather than committed: one place defines
// it, and a server started by hand finds it too.
const fs = require('node:fs');
const path = require('node:path');

const STATIC_ROOT = path.join(__dirname, '..', '..', 'fixtures', 'www');
const STATIC_NAME = 'file-4k.txt';
const STATIC_URL = `/${STATIC_NAME}`;

/** 64 lines of 64 bytes (4,096): printable ASCII, so a mismatch is readable in a failure message. */
function staticContent() {
  const lines = [];
  for (let i = 0; i < 64; i++) {
    const head = `line ${String(i).padStart(2, '0')} `;
    let fill = '';
    for (let k = 0; fill.length < 63 - head.length; k++) fill += String.fromCharCode(97 + ((i + k) % 26));
    lines.push(`${head}${fill}\n`);
  }
  return Buffer.from(lines.join(''), 'latin1');
}

/**
 * Writes the static file unless it is already there with the right bytes (rewriting it would change its
 * mtime, and the ETags with it, under a server that is running). Returns its absolute path. Several
 * processes may call this at once: write to a private temporary name, then rename (atomic).
 */
function ensureStaticFixture() {
  return writeIfChanged(path.join(STATIC_ROOT, STATIC_NAME), staticContent());
}

/** Writes `want` (a Buffer) to `file` under STATIC_ROOT unless it already holds it; atomic. Returns `file`. */
function writeIfChanged(file, want) {
  try {
    if (fs.readFileSync(file).equals(want)) return file;
  } catch { /* absent: write it */ }
  fs.mkdirSync(STATIC_ROOT, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, want);
  fs.renameSync(tmp, file);
  return file;
}

/**
 * The template scenario's page, once in the module's instruction syntax and once in Eta's own (the data as
 * `it`), and the HTML both must give. Names hold `<`, `>` and `&` so that every render escapes.
 */
const TEMPLATE_URL = '/page.jshtml';
const TEMPLATE_ROWS = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `User <${i}> & co`, email: `user${i}@example.com`, active: i % 3 === 0 }));
const TEMPLATE_PAGES = {
  'page.jshtml': `<table>
{{ for r of rows }}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.email }}</td>{{ if r.active }}<td>on</td>{{ else }}<td>off</td>{{ end }}</tr>
{{ end }}</table>
`,
  'page.eta': `<table>
<% for (const r of it.rows) { %><tr><td><%= r.id %></td><td><%= r.name %></td><td><%= r.email %></td><% if (r.active) { %><td>on</td><% } else { %><td>off</td><% } %></tr>
<% } %></table>
`,
};
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }; // Eta's own table
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** The HTML every server answers to GET /page.jshtml, built without a template engine. */
function templateExpected() {
  const rows = TEMPLATE_ROWS.map((r) => `<tr><td>${r.id}</td><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.email)}</td><td>${r.active ? 'on' : 'off'}</td></tr>\n`);
  return `<table>\n${rows.join('')}</table>\n`;
}

/** Writes the two template files (as ensureStaticFixture does: only when changed, atomically). */
function ensureTemplateFixture() {
  for (const [name, text] of Object.entries(TEMPLATE_PAGES)) writeIfChanged(path.join(STATIC_ROOT, name), Buffer.from(text, 'utf8'));
}

/** The JSON route's answer, built the same way by every server. */
const jsonAnswer = (name, n) => ({ name, n, double: 2 * n });

/** The n segment of /json/<name>/<n>: an integer (as MicroWebSrv's <n:int>), else null (the route does not match). */
const parseIntSegment = (s) => (/^[+-]?\d{1,15}$/.test(s) ? Number(s) : null);

module.exports = {
  STATIC_ROOT, STATIC_NAME, STATIC_URL, staticContent, ensureStaticFixture, jsonAnswer, parseIntSegment,
  TEMPLATE_URL, TEMPLATE_ROWS, templateExpected, ensureTemplateFixture,
};
