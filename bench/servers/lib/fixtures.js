'use strict';
// What the HTTP servers answer beyond GET /, shared so that every server gives the same answer and the
// runner checks it against the same definition (src/requests.js):
//   GET  /json/<name>/<n>  -> 200 application/json {"name": name, "n": n, "double": 2n}  (n an integer)
//   POST /echo             -> 200 application/octet-stream, the request body
//   GET  /file-4k.txt      -> 200 text/plain, the 4 KiB file below, from each server's static-file service
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
  const file = path.join(STATIC_ROOT, STATIC_NAME);
  const want = staticContent();
  try {
    if (fs.readFileSync(file).equals(want)) return file;
  } catch { /* absent: write it */ }
  fs.mkdirSync(STATIC_ROOT, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, want);
  fs.renameSync(tmp, file);
  return file;
}

/** The JSON route's answer, built the same way by every server. */
const jsonAnswer = (name, n) => ({ name, n, double: 2 * n });

/** The n segment of /json/<name>/<n>: an integer (as MicroWebSrv's <n:int>), else null (the route does not match). */
const parseIntSegment = (s) => (/^[+-]?\d{1,15}$/.test(s) ? Number(s) : null);

module.exports = { STATIC_ROOT, STATIC_NAME, STATIC_URL, staticContent, ensureStaticFixture, jsonAnswer, parseIntSegment };
