/**
 * What a handler's error becomes (failed.ts), with real sockets: the engine's own ends of a request
 * stay quiet, anything else is a 500.
 */
import { startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

test("a handler's own AbortError (an upstream fetch it cancelled) is a 500 with an ERROR line, not a request left unanswered", async () => {
  const ts = await startServer((srv) => {
    srv.registerRoute(async () => {
      // What a cancelled upstream call rejects with: an Error named AbortError.
      throw Object.assign(new Error('upstream call aborted'), { name: 'AbortError' });
    }, 'GET', '/upstream');
  });
  const r = await fetch(ts.url('/upstream'), { signal: AbortSignal.timeout(5000) });
  expect(r.status).toBe(500);
  expect(ts.logs.some((l) => l.type === 'ERROR' && /AbortError|aborted/.test(l.msg))).toBe(true);
});

test('a buffered body read past a bodyLimit its handler lowered is answered 413 by the pipeline', async () => {
  const ts = await startServer((srv) => {
    srv.registerRoute(async (_s, req) => {
      req.bodyLimit = 10;
      await req.read();
    }, 'POST', '/small');
  });
  const r = await fetch(ts.url('/small'), { method: 'POST', body: 'x'.repeat(100), signal: AbortSignal.timeout(5000) });
  expect(r.status).toBe(413);
});
