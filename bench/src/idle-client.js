'use strict';
// The memory scenario's client: N idle keep-alive connections. Each plain node:net socket sends one
// `GET / HTTP/1.1\r\nHost: x\r\n\r\n`, reads the whole response (head + Content-Length body; for an echo
// server, the request's own bytes back), then stays open and idle until closeIdle(). Connections are
// opened through a window of `window` at a time (connecting or waiting for their response), so the
// server's listen backlog (511 for node, more for the others) is never overrun. Runs in the client
// process (client-worker.js); the sockets live between the commands.
const net = require('node:net');

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
const ANSWER_TIMEOUT_MS = 15000;

let state = null; // {sockets: Set, closedEarly, ...}

/** Parses one HTTP/1.1 response out of `text`: {status, total} when complete, null when more is needed. */
function completeResponse(text) {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const total = end + 4 + (cl ? Number(cl[1]) : 0);
  return text.length >= total ? { status, total } : null;
}

/**
 * Opens `count` idle connections to 127.0.0.1:`port`. `mode`: 'http' (expects 200) | 'echo' (expects the
 * request back). Resolves {opened, failed, reasons, ms}: `opened` answered as expected and are open now.
 */
function openIdle({ port, host = '127.0.0.1', count, window = 200, mode = 'http' }) {
  if (state) throw new Error('idle connections are already open: close them first');
  const st = { sockets: new Set(), closedEarly: 0, opened: 0, failed: 0, reasons: {} };
  state = st;
  const t0 = Date.now();
  return new Promise((resolve) => {
    let started = 0;
    let inFlight = 0;
    let settled = 0;
    const fail = (why) => { st.failed++; st.reasons[why] = (st.reasons[why] || 0) + 1; };
    const done = () => {
      settled++;
      inFlight--;
      if (settled === count) resolve({ opened: st.opened, failed: st.failed, reasons: st.reasons, ms: Date.now() - t0 });
      else pump();
    };
    const openOne = () => {
      started++;
      inFlight++;
      let got = '';
      let answered = false;
      let finished = false;
      const finish = (ok, why) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (ok) st.opened++; else { fail(why); s.destroy(); }
        done();
      };
      const s = net.connect({ host, port, noDelay: true });
      const timer = setTimeout(() => finish(false, `no complete answer within ${ANSWER_TIMEOUT_MS} ms`), ANSWER_TIMEOUT_MS);
      st.sockets.add(s);
      s.on('connect', () => s.write(REQUEST));
      s.on('data', (d) => {
        if (answered) return; // nothing more is expected on an idle connection
        got += d.toString('latin1');
        if (mode === 'echo') {
          if (got.length < REQUEST.length) return;
          answered = true;
          finish(got === REQUEST.toString('latin1'), 'echo came back changed');
          return;
        }
        const r = completeResponse(got);
        if (!r) return;
        answered = true;
        got = '';
        finish(r.status === 200, `answered ${r.status}`);
      });
      s.on('error', (err) => { if (!finished) finish(false, err.code || err.message); });
      s.on('close', () => {
        st.sockets.delete(s);
        if (!finished) finish(false, 'closed before the answer');
        else if (answered && !st.closing) st.closedEarly++;
      });
    };
    const pump = () => {
      while (inFlight < window && started < count) openOne();
    };
    if (count === 0) resolve({ opened: 0, failed: 0, reasons: {}, ms: 0 });
    else pump();
  });
}

/** {open, closedEarly}: connections open now, and answered ones the server (or anything) closed since. */
function idleStatus() {
  return state ? { open: state.sockets.size, closedEarly: state.closedEarly } : { open: 0, closedEarly: 0 };
}

/** Closes every connection (RST-free: end, then destroy what lingers); resolves {closed, closedEarly}. */
function closeIdle() {
  const st = state;
  if (!st) return Promise.resolve({ closed: 0, closedEarly: 0 });
  st.closing = true;
  const n = st.sockets.size;
  return new Promise((resolve) => {
    const finish = () => { state = null; resolve({ closed: n, closedEarly: st.closedEarly }); };
    if (st.sockets.size === 0) { finish(); return; }
    const check = () => { if (st.sockets.size === 0) { clearTimeout(t); finish(); } };
    for (const s of st.sockets) { s.once('close', check); s.end(); }
    const t = setTimeout(() => { for (const s of st.sockets) s.destroy(); setImmediate(finish); }, 3000);
  });
}

module.exports = { openIdle, idleStatus, closeIdle, completeResponse, REQUEST };
