'use strict';
// The HTTP request of each HTTP scenario and the answer every server must give it (checked once per
// sample before measuring: sanity.js). What the servers answer is defined in servers/lib/fixtures.js.
// Bodies are plain strings: they cross the IPC channel to the client process as JSON.
const { STATIC_URL, staticContent, TEMPLATE_URL, templateExpected } = require('../servers/lib/fixtures');
const { fetchEtag, PLAINTEXT } = require('./sanity');

/** 1,024 printable bytes (a mismatch is readable in a failure message). */
const POST_BODY = Array.from({ length: 1024 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join('');

const REQUESTS = {
  plaintext: PLAINTEXT,
  // The same request with an X-Request-Id that differs on every request (the load tool makes it): no head
  // is ever read twice, so a server's memo of the previous head never applies.
  'plaintext-vary': { ...PLAINTEXT, vary: 'X-Request-Id' },
  json: {
    method: 'GET', path: '/json/bench/21',
    expect: { status: 200, type: /^application\/json\b/i, json: { name: 'bench', n: 21, double: 42 } },
  },
  'post-echo': {
    method: 'POST', path: '/echo', headers: { 'content-type': 'application/octet-stream' }, body: POST_BODY,
    expect: { status: 200, type: /^application\/octet-stream\b/i, body: POST_BODY },
  },
  static: {
    method: 'GET', path: STATIC_URL,
    expect: { status: 200, type: /^text\/plain\b/i, body: staticContent().toString('latin1') },
  },
  template: {
    method: 'GET', path: TEMPLATE_URL,
    expect: { status: 200, type: /^text\/html\b/i, body: templateExpected() },
  },
  'static-304': {
    // Revalidation as a browser does it: If-None-Match with the ETag this very server gave (each server
    // makes its own), fetched once per sample before the check and the load.
    method: 'GET', path: STATIC_URL,
    expect: { status: 304, body: '' },
    prepare: async (port, req) => ({ ...req, headers: { ...req.headers, 'if-none-match': await fetchEtag(port, req.path) } }),
  },
};

/** {method, path, bodyBytes, headers} for the results (no body, no function). */
function describeRequest(req) {
  return { method: req.method, path: req.path, bodyBytes: req.body ? Buffer.byteLength(req.body) : 0, headers: Object.keys(req.headers || {}), ...(req.vary ? { varying: req.vary } : {}), expectStatus: req.expect.status };
}

module.exports = { REQUESTS, POST_BODY, describeRequest };
