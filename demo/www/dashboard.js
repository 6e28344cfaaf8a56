'use strict';
// The live dashboard: an EventSource on /events (it reconnects by itself, sending Last-Event-ID, and the
// server replays what it missed), one small SVG chart per measure, one line per server (http, https).
(function () {
  const POINTS = 60; // one minute of samples
  const SVG = 'http://www.w3.org/2000/svg';
  const charts = {};
  const measures = [
    ['connections', 'Connections', (s) => s.connections],
    ['slots', 'Slots in use', (s) => s.slots.inUse, (s) => `${s.slots.inUse} / ${s.slots.inUse + s.slots.free}`],
    ['rps', 'Requests / s', (s) => s.requestsPerSec],
    ['errors', 'Errors (4xx, 5xx) / s', (s) => s.errorsPerSec ?? 0],
    ['ws', 'WebSocket clients', (s) => s.webSockets],
    ['sse', 'SSE clients', (s) => s.eventStreams],
    ['in', 'Bytes in / s', (s) => s.bytesInPerSec, (s) => human(s.bytesInPerSec)],
    ['out', 'Bytes out / s', (s) => s.bytesOutPerSec, (s) => human(s.bytesOutPerSec)],
  ];

  function human(n) {
    return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
  }

  function chart(key, title) {
    const box = document.createElement('div');
    box.className = 'chart';
    box.id = `chart-${key}`;
    const h = document.createElement('h3');
    h.textContent = title;
    const value = document.createElement('div');
    value.className = 'value';
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${POINTS - 1} 100`);
    svg.setAttribute('preserveAspectRatio', 'none');
    box.append(h, value, svg);
    document.getElementById('charts').append(box);
    return { svg, value, series: [], paths: [] };
  }

  /** Redraws one chart: every series scaled to the chart's largest value (at least 1). */
  function draw(c) {
    const max = Math.max(1, ...c.series.flat());
    c.series.forEach((values, i) => {
      let p = c.paths[i];
      if (!p) {
        p = document.createElementNS(SVG, 'path');
        p.setAttribute('class', `line s${i}`);
        c.svg.append(p);
        c.paths[i] = p;
      }
      const off = POINTS - values.length;
      p.setAttribute('d', values.map((v, j) => `${j === 0 ? 'M' : 'L'}${off + j} ${(100 - (v / max) * 96 - 2).toFixed(1)}`).join(''));
    });
  }

  for (const [key, title] of measures) charts[key] = chart(key, title);

  let count = 0;
  const status = document.getElementById('status');
  const es = new EventSource('/events');
  es.onopen = () => { status.textContent = 'live'; status.dataset.state = 'open'; };
  es.onerror = () => { status.textContent = 'reconnecting…'; status.dataset.state = 'error'; };
  es.addEventListener('reset', () => { for (const c of Object.values(charts)) c.series = []; });
  es.addEventListener('stats', (e) => {
    const stats = JSON.parse(e.data);
    count++;
    document.getElementById('last-id').textContent = e.lastEventId;
    document.getElementById('count').textContent = String(count);
    for (const [key, , get, show] of measures) {
      const c = charts[key];
      stats.servers.forEach((s, i) => {
        const v = (c.series[i] ??= []);
        v.push(get(s));
        if (v.length > POINTS) v.shift();
      });
      c.value.textContent = stats.servers.map((s) => `${s.name} ${show ? show(s) : get(s)}`).join(' · ');
      c.value.dataset.values = JSON.stringify(stats.servers.map(get));
      draw(c);
    }
    const rows = stats.servers.map((s) => `<tr><td>${s.name}:${s.port}</td><td>${s.connections} connections, ${s.slots.inUse} slots in use / ${s.slots.free} free, `
      + `${s.requestsPerSec} req/s, ${s.webSockets} WebSockets, ${s.eventStreams} event streams, in ${human(s.bytesIn)}, out ${human(s.bytesOut)}</td></tr>`);
    document.querySelector('#numbers tbody').innerHTML = rows.join('');
  });
})();
