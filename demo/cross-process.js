'use strict';
// The demo across processes and machines (REDIS_URL=redis://host:port): its topics go through Redis, so
// the chat spans every demo process, and each dashboard shows the servers of every process. Without
// REDIS_URL, nothing here runs: one process, an in-process bus.
//   - the bus: a RedisBus (state changes logged through the demo's log);
//   - the dashboard: each process publishes its own servers' numbers on `demo/peers` each second and keeps
//     the others' last report (3 s at most); its `/events` stream gets the merged list on a topic of its
//     own process (`demo/stats/<pid>`), so a dashboard gets one event a second, whichever process serves it.
const { makeMessage } = require('@microwebsrv/core');

const STALE_MS = 3000;

/** null without REDIS_URL; else { bus, statsTopic, merge(servers), close() }. */
function crossProcess(log) {
  const url = process.env.REDIS_URL;
  if (!url) return null;
  const { RedisBus } = require('@microwebsrv/bus-redis');
  const bus = new RedisBus({ url, prefix: 'mws-demo:', log: (msg, level) => log(`redis: ${msg}`, level) });
  const peers = new Map(); // pid@host → { at, servers }
  const me = `${process.pid}@${require('node:os').hostname()}`;
  bus.subscribe('demo/peers', (m) => {
    try {
      const v = JSON.parse(m.text);
      if (v.from !== me) peers.set(v.from, { at: Date.now(), servers: v.servers });
    } catch { /* not ours */ }
  });
  return {
    bus,
    statsTopic: `demo/stats/${process.pid}`,
    /** This process's servers (named with its pid), reported to the others, then theirs appended. */
    merge(servers) {
      const mine = servers.map((s) => ({ ...s, name: `${s.name}@${process.pid}` }));
      bus.publish(makeMessage('demo/peers', { from: me, servers: mine }));
      const all = [...mine];
      for (const [k, p] of peers) {
        if (Date.now() - p.at > STALE_MS) peers.delete(k); else all.push(...p.servers);
      }
      return all;
    },
    close: () => bus.close(),
  };
}

module.exports = { crossProcess };
