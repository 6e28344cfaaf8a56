import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { PACKAGES, ROOT, assertBuilt, packAll, readTarball, rootManifest, run, tarballProblems } from './tarballs';

// The packages as a user gets them: packed by pnpm into tarballs, installed by npm into a scratch project
// outside the workspace (so nothing resolves through the workspace's node_modules), then required
// (CommonJS), imported (ES module) and type-checked (node16 and bundler resolution). It builds nothing: the
// test command runs `tsc -b` first. Packages come from the tarballs; ws, eta and @types/node from the npm
// registry (or npm's cache: --prefer-offline).
jest.setTimeout(180_000);

const FIXTURE = path.join(__dirname, 'project');
let scratch = '';
let app = '';
let tarballs: string[] = [];
const servers = new Set<SpawnedServer>();

/** The environment for npm in the scratch project: without the settings of the script running this test
 * (npm_config_local_prefix and friends would point npm back at the workspace). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(k) && !/^npm_config_(registry|cache|cafile|ca|userconfig|globalconfig|https?_proxy|proxy|noproxy|strict_ssl|offline|prefer_offline)$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

beforeAll(async () => {
  assertBuilt();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-consumer-'));
  tarballs = await packAll(path.join(scratch, 'tarballs'));
  app = path.join(scratch, 'app');
  fs.cpSync(FIXTURE, app, { recursive: true });
  fs.copyFileSync(path.join(app, 'app.ts'), path.join(app, 'app.mts'));
  // No "type": .js and .ts files are CommonJS, as in a new `npm init` project.
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'mws-consumer', version: '1.0.0', private: true }));
  const typesNode = `@types/node@${rootManifest.devDependencies['@types/node']}`;
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, typesNode], app, { env: npmEnv(), timeoutMs: 150_000 });
});

afterAll(async () => {
  await Promise.all([...servers].map((s) => s.stop()));
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the tarballs ship dist and src, no build info, no tests, no map pointing at a missing file', () => {
  const problems: string[] = [];
  for (const name of PACKAGES) {
    const tarball = tarballs.find((t) => path.basename(t).startsWith(`microwebsrv-${name}-`));
    if (tarball === undefined) { problems.push(`${name}: no tarball`); continue; }
    const files = readTarball(tarball);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/index.d.ts.map', 'src/index.ts']) {
      if (!files.has(f)) problems.push(`${name}: ${f} is missing`);
    }
    problems.push(...tarballProblems(name, files).map((p) => `${path.basename(tarball)}: ${p}`));
  }
  expect(problems).toEqual([]);
});

test('pnpm pack rewrote workspace: specifiers into the versions of the packages', () => {
  const version = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', name, 'package.json'), 'utf8')).version as string;
  const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@microwebsrv', name, 'package.json'), 'utf8'));
  expect(installed('core').dependencies['@microwebsrv/xasync']).toBe(version('xasync'));
  expect(installed('mods-template').peerDependencies['@microwebsrv/core']).toBe(`^${version('core')}`);
  expect(installed('mods-sse').peerDependencies).toEqual({ '@microwebsrv/core': `^${version('core')}` });
  expect(installed('mods-websockets').peerDependencies).toEqual({ '@microwebsrv/core': `^${version('core')}`, '@microwebsrv/xasync': `^${version('xasync')}` });
  expect(installed('mods-repl').peerDependencies).toEqual({ '@microwebsrv/core': `^${version('core')}`, '@microwebsrv/mods-websockets': `^${version('mods-websockets')}` });
});

/** Sends `text` to a WebSocket echo and resolves with the answer once the socket has closed again. */
function echo(url: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let answer = '';
    ws.once('open', () => ws.send(text));
    ws.once('message', (data) => { answer = String(data); ws.close(1000); });
    ws.once('close', () => resolve(answer));
    ws.once('error', reject);
  });
}

describe.each([
  ['app.cjs', 'cjs', 'require() (CommonJS)'],
  ['app.mjs', 'esm', 'named imports (ES module)'],
])('%s', (script, flavour, how) => {
  test(`${how}: a route, a template page and a WebSocket echo answer`, async () => {
    const srv = await spawnServer(path.join(app, script));
    servers.add(srv);
    try {
      const base = srv.urls[0]!;
      const hello = await fetch(`${base}/hello?name=Ada`);
      expect(hello.status).toBe(200);
      expect(await hello.json()).toEqual({ flavour, name: 'Ada', slots: 'function' });
      const page = await fetch(`${base}/page.jshtml?who=%3Cb%3E`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`<p>${flavour} page for &lt;b&gt;</p>`);
      expect(await echo(`${base.replace(/^http/, 'ws')}/echo`, 'hi')).toBe(`${flavour}:hi`);
    } finally {
      servers.delete(srv);
      expect(await srv.stop()).toBe(0);
    }
  });
});

/** Runs the workspace's tsc on a tsconfig written into the scratch project; rejects with its diagnostics. */
async function typeCheck(configName: string, compilerOptions: Record<string, unknown>, files: string[]): Promise<void> {
  fs.writeFileSync(path.join(app, configName), JSON.stringify({
    compilerOptions: {
      target: 'es2022', lib: ['es2022'], types: ['node'], strict: true, noEmit: true,
      // The packages' own declarations are checked too, as a user with skipLibCheck off would see them.
      skipLibCheck: false, ...compilerOptions,
    },
    files,
  }));
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  await run(process.execPath, [tsc, '-p', configName], app);
}

test('tsc --noEmit passes with module/moduleResolution node16 (app.ts as CommonJS, app.mts as an ES module)', async () => {
  await typeCheck('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16' }, ['app.ts', 'app.mts']);
});

test('tsc --noEmit passes with module esnext, moduleResolution bundler', async () => {
  await typeCheck('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler' }, ['app.ts']);
});

/** The first JavaScript block of a package's README, as written. */
function readmeSnippet(name: string): string {
  const md = fs.readFileSync(path.join(ROOT, 'packages', name, 'README.md'), 'utf8');
  const m = /^```js\n([\s\S]*?)^```$/m.exec(md);
  if (m === null) throw new Error(`packages/${name}/README.md has no js block`);
  return m[1];
}

describe("each package README's example runs as written, from the installed tarballs", () => {
  const start = async (name: string, env?: Record<string, string>): Promise<SpawnedServer> => {
    const file = path.join(app, `readme-${name}.js`);
    fs.writeFileSync(file, readmeSnippet(name));
    const srv = await spawnServer(file, { cwd: app, env });
    servers.add(srv);
    return srv;
  };
  const stop = async (srv: SpawnedServer): Promise<void> => {
    servers.delete(srv);
    expect(await srv.stop()).toBe(0);
  };

  test('@microwebsrv/core', async () => {
    const srv = await start('core');
    // spawnServer keeps scheme, host and port of the printed URL.
    expect(await (await fetch(srv.urls[0] + '/hello?name=Ada')).json()).toEqual({ hello: 'Ada' });
    expect(await (await fetch(srv.urls[0] + '/users/7')).text()).toBe('<p>user 7</p>');
    await stop(srv);
  });

  test('@microwebsrv/xasync', async () => {
    const srv = await start('xasync');
    const u = new URL(srv.urls[0]);
    const net = await import('node:net');
    const got = await new Promise<string>((resolve, reject) => {
      const c = net.connect(Number(u.port), u.hostname, () => c.write('ping\n'));
      c.setEncoding('utf8');
      c.once('data', (d: string) => { c.destroy(); resolve(d); });
      c.once('error', reject);
    });
    expect(got).toBe('echo ping\n');
    await stop(srv);
  });

  test('@microwebsrv/mods-websockets', async () => {
    const srv = await start('mods-websockets');
    expect(await echo(srv.urls[0] + '/echo', 'hi')).toBe('hi');
    expect(await echo(srv.urls[0] + '/pipe', 'piped')).toBe('piped');
    await stop(srv);
  });

  test('@microwebsrv/mods-sse', async () => {
    const srv = await start('mods-sse');
    const ac = new AbortController();
    const res = await fetch(srv.urls[0] + '/ticks', { signal: ac.signal }); // spawnServer keeps scheme, host and port
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/\n\n/.test(text)) text += (await reader.read()).value ?? '';
    expect(text).toMatch(/^event: tick\nid: \d+\ndata: \{"n":\d+\}\n\n/);
    ac.abort();
    await stop(srv);
  });

  test('@microwebsrv/mods-files', async () => {
    const base = fs.mkdtempSync(path.join(app, 'files-'));
    const srv = await start('mods-files', { FILES_DIR: base });
    const url = srv.urls[0].replace(/\/fs\/$/, '');
    expect((await fetch(url + '/fs/a.txt', { method: 'PUT', body: 'x' })).status).toBe(401);
    const auth = { authorization: 'Basic ' + Buffer.from('admin:s3cret').toString('base64') };
    expect((await fetch(url + '/fs/a.txt', { method: 'PUT', body: 'stored', headers: auth })).status).toBe(201);
    expect(await (await fetch(url + '/fs/')).json()).toMatchObject({ path: '/', list: [{ path: 'a.txt', type: 'file', size: 6 }] });
    expect(fs.readFileSync(path.join(base, 'a.txt'), 'utf8')).toBe('stored');
    await stop(srv);
  });

  test('@microwebsrv/bus-redis (no Redis reachable: it serves, publishes locally, stops cleanly)', async () => {
    const srv = await start('bus-redis');
    const r = (await (await fetch(srv.urls[0]!.replace(/\/news$/, '') + '/say?text=hi')).json()) as { published: boolean; bus: string };
    expect(r.published).toBe(true);
    expect(['connecting', 'down']).toContain(r.bus);
    await stop(srv);
  });

  test('@microwebsrv/mods-metrics', async () => {
    const srv = await start('mods-metrics');
    const base = srv.urls[0]!.replace(/\/metrics$/, '');
    expect((await fetch(base + '/metrics')).status).toBe(403);
    const text = await (await fetch(base + '/metrics', { headers: { authorization: 'Bearer secret' } })).text();
    expect(text).toMatch(/^# TYPE mws_http_requests_total counter$/m);
    await stop(srv);
  });

  test('@microwebsrv/mods-template', async () => {
    fs.mkdirSync(path.join(app, 'www'), { recursive: true });
    fs.writeFileSync(path.join(app, 'www', 'status.jshtml'), '<p>{{ appName }}: {{ uptime > 0 ? "up" : "down" }}</p>\n');
    const srv = await start('mods-template');
    const r = await fetch(srv.urls[0] + '/status');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<p>My device: up</p>');
    await stop(srv);
  });
});
