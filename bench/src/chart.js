'use strict';
// The results as a picture: an SVG of horizontal bars, one group per throughput scenario, one bar per
// server, each bar its median rate divided by the scenario's reference in the same run (node:http; echo:
// node:net echo; ws-echo: bare ws), so scenarios of very different rates share one axis. The value text
// gives the rate, the server CPU and the V8 heap allocated per request too: on 2 cores the client is often
// the limit, and CPU per request is the figure that does not depend on it; heap per request is what a
// change to the hot path moves first. Hand-written SVG: no dependency, stable output.
const { fmtInt } = require('./warnings');

const W = 1000;
const LABEL_W = 250; // server names, right-aligned
const BAR_X = LABEL_W + 12;
const BAR_W = W - BAR_X - 380; // room right of the longest bar for its value text
const ROW_H = 22;
const BAR_H = 14;
const HEAD_H = 26;
const GAP = 12;
const TOP = 96;
const FONT = 'font-family="system-ui, -apple-system, \'Segoe UI\', Helvetica, Arial, sans-serif"';

// MicroWebSrv-TS in blue, the reference in dark grey, the other peers in their own colours.
const COLORS = {
  microwebsrv: '#1f6feb', 'microwebsrv-ws': '#1f6feb', 'xasync-echo': '#1f6feb',
  'node-http': '#57606a', 'ws-bare': '#57606a', 'net-echo': '#57606a',
  fastify: '#d4761c', uws: '#8250df', ceiling: '#a8b1ba',
};

// a white outline under value texts, so that the grid lines they cross do not strike them through
const HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const known = (v) => typeof v === 'number' && Number.isFinite(v);

/** The text beside a bar: the rate, the server CPU and the V8 heap allocated per request when measured. */
function valueText(m, unit) {
  return `${fmtInt(m.perSec)} ${unit}/s${known(m.serverCpuUsPerOp) ? ` · ${m.serverCpuUsPerOp.toFixed(1)} µs CPU/${unit}` : ''}` +
    `${known(m.heapBytesPerOp) ? ` · ${fmtInt(m.heapBytesPerOp)} B heap/${unit}` : ''}`;
}

/** A round axis end above `max` and its tick step. */
function axis(max) {
  const step = max <= 2 ? 0.25 : max <= 4 ? 0.5 : max <= 10 ? 1 : Math.ceil(max / 10);
  return { end: Math.max(step * Math.ceil(max / step), 1.25), step };
}

/**
 * The SVG for `run` (as written to results/<name>.json), or null when it has no throughput scenario.
 * `refs`: kind -> the reference server's id (report.js's first reference of each kind).
 */
function svgChart(run, refs) {
  const groups = [];
  for (const s of run.scenarios) {
    if (!refs[s.kind]) continue; // memory: not a rate
    const ok = s.rows.filter((r) => r.status === 'ok');
    const ref = ok.find((r) => r.id === refs[s.kind]) || ok[0];
    const unit = s.kind === 'http' ? 'req' : 'msg';
    const rows = s.rows.map((r) => ({
      id: r.id, name: r.name, label: r.label, ok: r.status === 'ok',
      ratio: r.status === 'ok' && ref ? r.median.perSec / ref.median.perSec : null,
      text: r.status === 'ok'
        ? valueText(r.median, unit)
        : clip(`${r.status}: ${r.reason || ''}`, 90),
    }));
    groups.push({ name: s.name, ref: ref ? ref.label : null, rows });
  }
  if (groups.length === 0) return null;
  const { end, step } = axis(Math.max(...groups.flatMap((g) => g.rows.map((r) => r.ratio || 0))));
  const x = (ratio) => BAR_X + (BAR_W * ratio) / end;

  const out = [];
  let y = TOP;
  for (const g of groups) {
    out.push(`<text x="12" y="${y + 17}" font-size="15" font-weight="600">${esc(g.name)}</text>`,
      `<text x="${BAR_X}" y="${y + 17}" font-size="12" fill="#57606a">${g.ref ? `× ${esc(g.ref)}` : 'no server ran'}</text>`);
    y += HEAD_H;
    for (const r of g.rows) {
      const mid = y + ROW_H / 2;
      out.push(`<text x="${LABEL_W}" y="${mid + 4}" font-size="12" text-anchor="end">${esc(clip(r.label, 40))}</text>`);
      if (r.ratio !== null) {
        const color = COLORS[r.name] || '#6e7781';
        out.push(`<rect x="${BAR_X}" y="${mid - BAR_H / 2}" width="${(x(r.ratio) - BAR_X).toFixed(1)}" height="${BAR_H}" fill="${color}" rx="2"><title>${esc(`${r.label}: ${r.ratio.toFixed(2)}× · ${r.text}`)}</title></rect>`,
          `<text x="${(x(r.ratio) + 6).toFixed(1)}" y="${mid + 4}" font-size="12"${HALO}><tspan font-weight="600">${r.ratio.toFixed(2)}×</tspan> <tspan fill="#57606a">${esc(r.text)}</tspan></text>`);
      } else {
        out.push(`<text x="${BAR_X + 6}" y="${mid + 4}" font-size="12" fill="#8c959f" font-style="italic">${esc(r.text)}</text>`);
      }
      y += ROW_H;
    }
    y += GAP;
  }
  const bottom = y;

  // grid and axis under the bars: a line per tick, the reference (1×) dashed and darker
  const grid = [];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const gx = x(t).toFixed(1);
    const one = Math.abs(t - 1) < 1e-9;
    grid.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${bottom}" stroke="${one ? '#24292f' : '#d0d7de'}" stroke-width="1"${one ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${gx}" y="${TOP - 10}" font-size="11" text-anchor="middle" fill="#57606a">${+t.toFixed(2)}×</text>`,
      `<text x="${gx}" y="${bottom + 14}" font-size="11" text-anchor="middle" fill="#57606a">${+t.toFixed(2)}×</text>`);
  }

  const H = bottom + 64;
  const m = run.machine || {};
  const sub = `${run.date || ''} · ${m.cpus || '?'} × ${m.cpuModel || '?'}, Node ${m.node || '?'} · ${run.pinning || ''}`;
  const note = 'Bar: median rate ÷ the reference\'s in the same run (node:http; echo: node:net echo; ws-echo: bare ws); longer is faster.';
  const note2 = `The load client (one JS thread) is often the limit on 2 cores: compare CPU per request too (tables: ${run.outName || 'latest'}.md).`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} fill="#24292f">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="12" y="26" font-size="18" font-weight="600">MicroWebSrv-TS benchmark: throughput relative to the reference${run.options && run.options.smoke ? ' · SMOKE RUN, not figures' : ''}</text>`,
    `<text x="12" y="46" font-size="12" fill="#57606a">${esc(clip(sub, 160))}</text>`,
    `<text x="12" y="62" font-size="12" fill="#57606a">${esc(clip(`\`${run.command || ''}\``, 160))}</text>`,
    ...grid, ...out,
    `<text x="12" y="${bottom + 36}" font-size="12" fill="#57606a">${esc(note)}</text>`,
    `<text x="12" y="${bottom + 52}" font-size="12" fill="#57606a">${esc(note2)}</text>`,
    '</svg>', '',
  ].join('\n');
}

module.exports = { svgChart, axis };
