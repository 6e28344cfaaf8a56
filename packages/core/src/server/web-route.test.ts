import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSync } from '@swc/core';
import * as ts from 'typescript';
import type { HttpRequest } from '../request/http-request';
import type { MicroWebSrv } from './micro-web-srv';
import type { RouteHandler } from '../pipeline/route-stage';
import { RouteTable, type RouteMatch } from '../routes/route-table';
import * as webRoute from './web-route';

type WebRouteModule = typeof webRoute;
const server = null as unknown as MicroWebSrv;
const request = null as unknown as HttpRequest;
const call = (m: RouteMatch<RouteHandler> | null): unknown => m?.handler(server, request, m.args);
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); } catch (e) { return (e as { code?: string }).code ?? String(e); }
  return undefined;
};

describe('global registry', () => {
  test('registerRoute / resolveRoute / pathFromRoute work on the global table', () => {
    webRoute.registerRoute((_s, _r, a) => `item ${a.id}`, 'get', '/g/items/<id>', 'g-item');
    expect(call(webRoute.resolveRoute('get', '/g/items/42'))).toBe('item 42');
    expect(webRoute.resolveRoute('GET', '/g/items/42')?.args).toEqual({ id: 42 });
    expect(webRoute.pathFromRoute('g-item', { id: 'a b' })).toBe('/g/items/a%20b');
    expect(webRoute.globalRoutes.byName('g-item')).toEqual({ method: 'GET', path: '/g/items/<id>' });
  });

  test("every server's table sees global routes, after its own", () => {
    webRoute.registerRoute(() => 'global', 'GET', '/g/shared');
    webRoute.registerRoute(() => 'global-only', 'GET', '/g/only');
    const a = new RouteTable(webRoute.globalRoutes);
    const b = new RouteTable(webRoute.globalRoutes);
    a.add(() => 'own', 'GET', '/g/shared');
    expect(call(a.find('GET', '/g/shared'))).toBe('own');
    expect(call(b.find('GET', '/g/shared'))).toBe('global');
    expect(call(b.find('GET', '/g/only'))).toBe('global-only');
    expect(a.allowedMethods('/g/only')).toEqual(['GET', 'HEAD']);
  });

  test("WebRoute(method, path)(fn) registers a plain function (MicroWebSrv2's call form)", () => {
    const fn: RouteHandler = () => 'plain';
    expect(webRoute.WebRoute('GET', '/g/plain')(fn)).toBe(fn);
    expect(call(webRoute.resolveRoute('GET', '/g/plain'))).toBe('plain');
  });

  test('bad decorator arguments fail at once; legacy and non-method uses are refused', () => {
    expect(codeOf(() => webRoute.WebRoute('GET', 'no-slash'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => webRoute.WebRoute('', '/x'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => webRoute.WebRoute('G ET', '/x'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => webRoute.WebRoute('GET', '/x', ''))).toBe('ERR_MWS_INVALID_OPTION');
    const dec = webRoute.WebRoute('GET', '/g/legacy') as unknown as (...a: unknown[]) => unknown;
    const legacy = () => dec(function m() { /* */ }, 'm', { value: () => 0 });
    expect(() => legacy()).toThrow(/standard decorator/);
    const field = () => dec(() => 0, { kind: 'field', name: 'f', static: false, private: false, addInitializer() { /* */ } });
    expect(codeOf(field)).toBe('ERR_MWS_INVALID_OPTION');
    expect(webRoute.resolveRoute('GET', '/g/legacy')).toBeNull();
  });

  test('createWebRoute targets another table', () => {
    const t = new RouteTable<RouteHandler>();
    webRoute.createWebRoute(t)('GET', '/own/x')(() => 'x');
    expect(call(t.find('GET', '/own/x'))).toBe('x');
    expect(webRoute.resolveRoute('GET', '/own/x')).toBeNull();
  });
});

// ---- the decorator as compiled by both toolchains --------------------------------------------------

const FIXTURE = path.join(__dirname, '__tests__', 'decorated-fixture.ts');
const source = fs.readFileSync(FIXTURE, 'utf8');

/** The options jest.config.js needs for standard decorators (see the report / web-route.ts). */
const SWC_OPTIONS = {
  jsc: { parser: { syntax: 'typescript' as const, decorators: true }, target: 'es2022' as const, transform: { decoratorVersion: '2022-03' as const } },
  module: { type: 'commonjs' as const },
};

const compilers: [string, () => string][] = [
  ['swc (jsc.parser.decorators + decoratorVersion 2022-03)', () => transformSync(source, { ...SWC_OPTIONS, filename: FIXTURE, swcrc: false, configFile: false }).code],
  ['tsc (TypeScript standard decorators)', () => ts.transpileModule(source, {
    fileName: FIXTURE,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: false },
  }).outputText],
];

/** Runs compiled CommonJS with a fresh web-route module (its own global registry) for '../web-route'. */
function load(code: string): { wr: WebRouteModule; Users: new (prefix: string) => { prefix: string } } {
  let wr!: WebRouteModule;
  jest.isolateModules(() => { wr = jest.requireActual<WebRouteModule>('./web-route'); });
  const mod = { exports: {} as Record<string, unknown> };
  const req = (id: string): unknown => {
    if (id === '../web-route') return wr;
    throw new Error(`fixture requires ${id}`);
  };
  new Function('require', 'module', 'exports', code)(req, mod, mod.exports);
  return { wr, Users: mod.exports.Users as new (prefix: string) => { prefix: string } };
}

describe.each(compilers)('@WebRoute compiled by %s', (_name, compile) => {
  test('static methods register at class definition with this = the class', async () => {
    const { wr } = load(compile());
    const m = wr.resolveRoute('GET', '/users/5');
    expect(m?.args).toEqual({ id: 5 });
    expect(call(m)).toBe('hello 5');
    expect(await call(wr.resolveRoute('GET', '/users'))).toEqual(['a', 'b']);
    expect(wr.pathFromRoute('user', { id: 7 })).toBe('/users/7');
  });

  test('instance methods register per construction, bound to the instance; a second instance is a duplicate', () => {
    const { wr, Users } = load(compile());
    expect(wr.resolveRoute('POST', '/users/bob')).toBeNull();
    expect(wr.globalRoutes.allowedMethods('/users/bob')).toEqual([]);
    const u = new Users('p');
    expect(u.prefix).toBe('p');
    expect(call(wr.resolveRoute('POST', '/users/bob'))).toBe('p:bob');
    expect(wr.pathFromRoute('create', { name: 'x y' })).toBe('/users/x%20y');
    expect(codeOf(() => new Users('q'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(call(wr.resolveRoute('POST', '/users/bob'))).toBe('p:bob');
  });
});
