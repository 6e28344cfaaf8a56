'use strict';
// One request before measuring: a server that answers wrongly is reported as failed, not benchmarked.
const http = require('node:http');
const net = require('node:net');
const { isDeepStrictEqual } = require('node:util');

const TIMEOUT_MS = 3000;

/** The plaintext request (GET / -> 200 text/plain "Hello World!"): the default check (memory scenario). */
const PLAINTEXT = { method: 'GET', path: '/', expect: { status: 200, type: /^text\/plain\b/i, body: 'Hello World!' } };

/** Resolves {status, headers, body (latin1 string)} or rejects. One connection, closed after. */
function request(port, { method, path, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The first difference between what came and what was expected, or null. */
function mismatch(res, expect) {
  if (res.status !== expect.status) return `answered ${res.status}`;
  const type = String(res.headers['content-type'] || '');
  if (expect.type && !expect.type.test(type)) return `Content-Type is ${JSON.stringify(type)}`;
  if (expect.json) {
    let got;
    try { got = JSON.parse(res.body); } catch { return `body is not JSON: ${JSON.stringify(res.body.slice(0, 60))}`; }
    return isDeepStrictEqual(got, expect.json) ? null : `body is ${res.body.slice(0, 80)}, not ${JSON.stringify(expect.json)}`;
  }
  if (expect.body !== undefined && res.body !== expect.body) {
    const at = [...res.body].findIndex((c, i) => c !== expect.body[i]);
    return `body differs (${res.body.length} bytes, expected ${expect.body.length}; first difference at ${at < 0 ? expect.body.length : at}): ` +
      JSON.stringify(res.body.slice(0, 40));
  }
  return null;
}

/** Resolves null when `req` is answered as `req.expect` says (default: the plaintext request); else a reason. */
async function checkHttp(port, req = PLAINTEXT) {
  const what = `${req.method} ${req.path}${req.headers && req.headers['if-none-match'] ? ' (If-None-Match)' : ''}`;
  try {
    const bad = mismatch(await request(port, req), req.expect);
    return bad ? `${what} ${bad}` : null;
  } catch (err) {
    return `${what} failed: ${err.message}`;
  }
}

/** The ETag a server gives for GET `path` (200 expected); throws when there is none. */
async function fetchEtag(port, path) {
  const res = await request(port, { method: 'GET', path });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  const etag = res.headers.etag;
  if (!etag) throw new Error(`GET ${path} has no ETag`);
  return etag;
}

/** Resolves null when 64 bytes sent come back unchanged; else a reason. */
function checkEcho(port) {
  return new Promise((resolve) => {
    const msg = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) msg[i] = (i * 37 + 11) & 0xff; // every byte value class, incl. > 0x7f
    let got = Buffer.alloc(0);
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(msg));
    const done = (reason) => { clearTimeout(t); s.destroy(); resolve(reason); };
    const t = setTimeout(() => done(`echo: no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 64) done(got.equals(msg) ? null : 'echo: bytes came back changed');
    });
    s.on('error', (err) => done(`echo failed: ${err.message}`));
  });
}

/** Resolves null when a `size`-byte binary WebSocket message to ws://…/echo comes back unchanged; else a reason. */
function checkWs(port, size = 64) {
  const WebSocket = require('ws');
  return new Promise((resolve) => {
    const msg = Buffer.alloc(size);
    for (let i = 0; i < size; i++) msg[i] = (i * 37 + 11) & 0xff;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
    const done = (reason) => { clearTimeout(t); ws.terminate(); resolve(reason); };
    const t = setTimeout(() => done(`WebSocket echo: no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    ws.on('open', () => ws.send(msg, { binary: true }));
    ws.on('message', (d, isBinary) => done(isBinary && Buffer.from(d).equals(msg) ? null : 'WebSocket echo: the message came back changed'));
    ws.on('unexpected-response', (_req, res) => done(`WebSocket handshake answered ${res.statusCode}`));
    ws.on('error', (err) => done(`WebSocket echo failed: ${err.message}`));
  });
}

module.exports = { checkHttp, checkEcho, checkWs, fetchEtag, PLAINTEXT };
