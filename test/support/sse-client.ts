/** A minimal server-sent events reader for the tests: fetch, the body as text, events parsed as a browser does. */
export interface ParsedEvent { event: string; data: string; id: string }

/** Opens `url` and resolves once `until(events)` holds (or rejects after `ms`); the stream is then aborted. */
export async function readEvents(url: string, until: (events: ParsedEvent[], comments: number) => boolean, headers: Record<string, string> = {}, ms = 8000): Promise<{ events: ParsedEvent[]; status: number; headers: Headers }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no matching events within ${ms} ms`)), ms);
  try {
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: ac.signal });
    const events: ParsedEvent[] = [];
    let comments = 0;
    if (res.status !== 200 || res.body === null) return { events, status: res.status, headers: res.headers };
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let cur: ParsedEvent = { event: 'message', data: '', id: '' };
    let data: string[] = [];
    for (;;) {
      if (until(events, comments)) break;
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(buf[nl] === '\r' && buf[nl + 1] === '\n' ? nl + 2 : nl + 1);
        if (line === '') {
          if (data.length > 0) events.push({ ...cur, data: data.join('\n') });
          cur = { event: 'message', data: '', id: cur.id };
          data = [];
          continue;
        }
        if (line.startsWith(':')) { comments++; continue; }
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'data') data.push(v);
        else if (field === 'event') cur.event = v;
        else if (field === 'id') cur.id = v;
      }
    }
    return { events, status: res.status, headers: res.headers };
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
