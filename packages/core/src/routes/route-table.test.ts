import { MwsError } from '../base/errors';
import { RouteTable } from './route-table';

/** The table is generic over what it holds: these tests store tagged functions. */
type RouteHandler = ((...a: unknown[]) => unknown) & { tag?: string };

const h = (tag: string): RouteHandler => Object.assign(() => tag, { tag });
const tagOf = (t: RouteTable, method: string, path: string): string | null => {
  const m = t.find(method, path);
  return m === null ? null : (m.handler as unknown as { tag: string }).tag;
};
const argsOf = (t: RouteTable, method: string, path: string): Record<string, unknown> | null => {
  const m = t.find(method, path);
  return m === null ? null : { ...m.args };
};
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); } catch (e) { return e instanceof MwsError ? e.code : `not an MwsError: ${String(e)}`; }
  return undefined;
};

describe('RouteTable matching', () => {
  test('static routes: exact, case-preserving, trailing slash significant, decoded comparison', () => {
    const t = new RouteTable();
    t.add(h('users'), 'GET', '/Users/List');
    t.add(h('space'), 'GET', '/a b/café');
    t.add(h('root'), 'GET', '/');
    t.add(h('pct'), 'GET', '/x%41'); // patterns are decoded text: this '%41' is three characters
    expect(tagOf(t, 'GET', '/x%2541')).toBe('pct');
    expect(tagOf(t, 'GET', '/xA')).toBeNull();
    expect(tagOf(t, 'GET', '/Users/List')).toBe('users');
    expect(tagOf(t, 'GET', '/Users/List/')).toBeNull();
    expect(tagOf(t, 'GET', '/users/list')).toBeNull();
    expect(tagOf(t, 'GET', '/a%20b/caf%C3%A9')).toBe('space');
    expect(tagOf(t, 'GET', '/Users%2FList')).toBeNull(); // an encoded slash is not a separator
    expect(tagOf(t, 'GET', '/')).toBe('root');
    expect(tagOf(t, 'GET', '*')).toBeNull();
    expect(tagOf(t, 'get', '/Users/List')).toBeNull(); // methods are case-sensitive on the wire
  });

  test('plain arguments keep case, accept "-" and decoded characters, integers become numbers', () => {
    const t = new RouteTable();
    t.add(h('p'), 'GET', '/users/<userId>/profile/<Property>');
    expect(argsOf(t, 'GET', '/users/123/profile/FirstName')).toEqual({ userId: 123, Property: 'FirstName' });
    expect(argsOf(t, 'GET', '/users/jean-claude/profile/x')).toEqual({ userId: 'jean-claude', Property: 'x' });
    expect(argsOf(t, 'GET', '/users/J%C3%B6rg/profile/a%20b%3F%23')).toEqual({ userId: 'Jörg', Property: 'a b?#' });
    expect(argsOf(t, 'GET', '/users/-7/profile/007')).toEqual({ userId: -7, Property: 7 });
    expect(argsOf(t, 'GET', '/users/12345678901234567890/profile/1.5')).toEqual({ userId: '12345678901234567890', Property: '1.5' });
    expect(t.find('GET', '/users/1/profile/x')?.label).toBe('GET /users/<userId>/profile/<Property>');
  });

  test('an encoded slash stays inside its argument; invalid escapes and empty values do not match', () => {
    const t = new RouteTable();
    t.add(h('doc'), 'GET', '/docs/<name>');
    t.add(h('two'), 'GET', '/docs/<a>/<b>');
    expect(argsOf(t, 'GET', '/docs/a%2Fb')).toEqual({ name: 'a/b' });
    expect(tagOf(t, 'GET', '/docs/a%2Fb')).toBe('doc');
    expect(argsOf(t, 'GET', '/docs/a/b')).toEqual({ a: 'a', b: 'b' });
    expect(t.find('GET', '/docs/%E0%A4')).toBeNull(); // not UTF-8
    expect(t.find('GET', '/docs/%zz')).toBeNull();
    expect(t.find('GET', '/docs//x')).toBeNull();
    expect(t.find('GET', '/docs/')).toBeNull();
    expect(t.find('GET', '/docs/a/')).toBeNull(); // trailing '/' is one more (empty) segment
    expect(t.allowedMethods('/docs/%zz')).toEqual([]);
  });

  test('typed arguments convert, and a mismatch is a non-match that lets another route serve', () => {
    const t = new RouteTable();
    t.add(h('int'), 'GET', '/n/<v:int>');
    t.add(h('float'), 'GET', '/n/<v:float>');
    t.add(h('any'), 'GET', '/n/<v>');
    t.add(h('digit'), 'GET', '/d/<code:digit>');
    t.add(h('str'), 'GET', '/s/<v:string>');
    expect([tagOf(t, 'GET', '/n/42'), argsOf(t, 'GET', '/n/42')]).toEqual(['int', { v: 42 }]);
    expect([tagOf(t, 'GET', '/n/-3'), argsOf(t, 'GET', '/n/-3')]).toEqual(['int', { v: -3 }]);
    expect([tagOf(t, 'GET', '/n/+3'), argsOf(t, 'GET', '/n/+3')]).toEqual(['int', { v: 3 }]);
    expect([tagOf(t, 'GET', '/n/2.5'), argsOf(t, 'GET', '/n/2.5')]).toEqual(['float', { v: 2.5 }]);
    expect([tagOf(t, 'GET', '/n/-.5e2'), argsOf(t, 'GET', '/n/-.5e2')]).toEqual(['float', { v: -50 }]);
    expect([tagOf(t, 'GET', '/n/1e999'), argsOf(t, 'GET', '/n/1e999')]).toEqual(['any', { v: '1e999' }]);
    expect([tagOf(t, 'GET', '/n/abc'), argsOf(t, 'GET', '/n/abc')]).toEqual(['any', { v: 'abc' }]);
    expect(argsOf(t, 'GET', '/n/99999999999999999999')).toEqual({ v: 1e20 }); // int refuses (not exact), float takes it
    expect(argsOf(t, 'GET', '/d/00420')).toEqual({ code: '00420' });
    expect(t.find('GET', '/d/42a')).toBeNull();
    expect(t.find('GET', '/d/-1')).toBeNull();
    expect(argsOf(t, 'GET', '/s/0042')).toEqual({ v: '0042' });
  });

  test('only typed routes: a mismatch is 404, or 405 when another method matches', () => {
    const t = new RouteTable();
    t.add(h('g'), 'GET', '/items/<id:int>');
    t.add(h('p'), 'POST', '/items/<name>');
    expect(t.find('GET', '/items/x')).toBeNull();
    expect(t.allowedMethods('/items/x')).toEqual(['POST']);
    expect(t.allowedMethods('/items/5')).toEqual(['GET', 'POST', 'HEAD']);
    expect(t.allowedMethods('/other/5')).toEqual([]);
  });

  test('path arguments take the rest of the path, decoded, and refuse dot segments and hidden slashes', () => {
    const t = new RouteTable();
    t.add(h('files'), 'GET', '/files/<rest:path>');
    t.add(h('readme'), 'GET', '/files/README');
    t.add(h('all'), 'GET', '/<p:path>');
    expect(argsOf(t, 'GET', '/files/a/B c/d.txt')).toEqual({ rest: 'a/B c/d.txt' });
    expect(argsOf(t, 'GET', '/files/a/b%20c/')).toEqual({ rest: 'a/b c/' });
    expect(argsOf(t, 'GET', '/files/a//b')).toEqual({ rest: 'a//b' });
    expect(tagOf(t, 'GET', '/files/README')).toBe('readme');
    expect(tagOf(t, 'GET', '/files/README/x')).toBe('files');
    expect(argsOf(t, 'GET', '/other/x')).toEqual({ p: 'other/x' });
    expect(tagOf(t, 'GET', '/files')).toBe('all'); // an empty rest is not a match for '/files/<rest:path>'
    expect(t.find('GET', '/files/a/../etc')).toBeNull(); // both path routes refuse '..'
    expect(t.find('GET', '/files/a/%2E%2E/etc')).toBeNull();
    expect(t.find('GET', '/files/./x')).toBeNull();
    expect(tagOf(t, 'GET', '/files/a%2Fb')).toBeNull();
    // a rest never starts with '/': '/files/<rest>' refuses, the catch-all takes it whole (relative)
    expect(argsOf(t, 'GET', '/files//etc/passwd')).toEqual({ p: 'files//etc/passwd' });
    expect(t.find('GET', '//etc/passwd')).toBeNull();
    expect(t.allowedMethods('/files/a/../etc')).toEqual([]);
  });

  test('static beats an argument at the same position, at any depth', () => {
    const t = new RouteTable();
    t.add(h('param'), 'GET', '/users/<id>');
    t.add(h('me'), 'GET', '/users/me');
    t.add(h('x-param'), 'GET', '/<a>/edit');
    t.add(h('x-static'), 'GET', '/users/<id>/edit');
    expect(tagOf(t, 'GET', '/users/me')).toBe('me');
    expect(tagOf(t, 'GET', '/users/you')).toBe('param');
    expect(tagOf(t, 'GET', '/users/5/edit')).toBe('x-static');
    expect(tagOf(t, 'GET', '/groups/edit')).toBe('x-param');
    // the static branch has no route for DELETE: the search backtracks to the argument
    t.add(h('del'), 'DELETE', '/users/<id>');
    expect(argsOf(t, 'DELETE', '/users/me')).toEqual({ id: 'me' });
  });

  test('HEAD uses the GET route unless it has its own; allowedMethods lists HEAD with GET', () => {
    const t = new RouteTable();
    t.add(h('get'), 'GET', '/a');
    t.add(h('head'), 'HEAD', '/b');
    t.add(h('getb'), 'GET', '/b');
    t.add(h('post'), 'post', '/c');
    t.add(h('getp'), 'GET', '/p/<x>');
    expect(tagOf(t, 'HEAD', '/a')).toBe('get');
    expect(t.find('HEAD', '/a')?.method).toBe('GET');
    expect(tagOf(t, 'HEAD', '/b')).toBe('head');
    expect(tagOf(t, 'HEAD', '/p/1')).toBe('getp');
    expect(t.find('HEAD', '/c')).toBeNull();
    expect(t.allowedMethods('/a')).toEqual(['GET', 'HEAD']);
    expect(t.allowedMethods('/b')).toEqual(['HEAD', 'GET']);
    expect(t.allowedMethods('/c')).toEqual(['POST']);
    const allowed = t.allowedMethods('/c');
    allowed.push('OPTIONS'); // callers may add to it
    expect(t.allowedMethods('/c')).toEqual(['POST']);
  });

  test('a table with a fallback: own routes win, names and Allow span both', () => {
    const global = new RouteTable();
    const own = new RouteTable(global);
    global.add(h('g-static'), 'GET', '/users/me', 'me');
    global.add(h('g-post'), 'POST', '/users/<id>');
    global.add(h('g-only'), 'GET', '/about', 'about');
    own.add(h('own'), 'GET', '/users/<id>', 'me'); // shadows the global name and wins over the global static
    expect(tagOf(own, 'GET', '/users/me')).toBe('own');
    expect(tagOf(own, 'POST', '/users/me')).toBe('g-post');
    expect(tagOf(own, 'GET', '/about')).toBe('g-only');
    expect(tagOf(global, 'GET', '/users/me')).toBe('g-static');
    expect(own.allowedMethods('/users/me').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(own.pathFromRoute('me', { id: 7 })).toBe('/users/7');
    expect(own.pathFromRoute('about')).toBe('/about');
    expect(own.byName('about')).toEqual({ method: 'GET', path: '/about' });
    expect(own.size).toBe(1);
  });
});

describe('RouteTable registration', () => {
  test('duplicates of method + pattern shape, or of a name, throw ERR_MWS_ROUTE_DUPLICATE', () => {
    const t = new RouteTable();
    t.add(h('a'), 'GET', '/u/<id>', 'u');
    t.add(h('s'), 'GET', '/s');
    expect(codeOf(() => t.add(h('b'), 'get', '/u/<other>'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(codeOf(() => t.add(h('b'), 'GET', '/u/<id:string>'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(codeOf(() => t.add(h('b'), 'GET', '/s/'))).toBeUndefined(); // a trailing '/' makes another route
    expect(codeOf(() => t.add(h('b'), 'POST', '/x', 'u'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(codeOf(() => t.add(h('b'), 'GET', '/u/<id:int>'))).toBeUndefined(); // another type: another route
    expect(codeOf(() => t.add(h('b'), 'POST', '/u/<id>'))).toBeUndefined();
    expect(codeOf(() => t.add(h('b'), 'GET', '/U/<id>'))).toBeUndefined(); // case matters
    expect(t.size).toBe(6);
  });

  test.each([
    ['handler', () => new RouteTable().add('x' as unknown as RouteHandler, 'GET', '/')],
    ['method', () => new RouteTable().add(h('x'), 'G ET', '/')],
    ['empty method', () => new RouteTable().add(h('x'), '', '/')],
    ['relative path', () => new RouteTable().add(h('x'), 'GET', 'users')],
    ['empty name', () => new RouteTable().add(h('x'), 'GET', '/', '')],
    ['partial argument', () => new RouteTable().add(h('x'), 'GET', '/file-<id>.json')],
    ['unknown type', () => new RouteTable().add(h('x'), 'GET', '/<id:uuid>')],
    ['empty argument name', () => new RouteTable().add(h('x'), 'GET', '/<>')],
    ['repeated name in any case', () => new RouteTable().add(h('x'), 'GET', '/<id>/<ID>')],
    ['path not last', () => new RouteTable().add(h('x'), 'GET', '/<p:path>/x')],
  ])('bad %s → ERR_MWS_INVALID_OPTION', (_what, fn) => {
    expect(codeOf(fn)).toBe('ERR_MWS_INVALID_OPTION');
  });
});

describe('pathFromRoute', () => {
  const t = new RouteTable();
  t.add(h('u'), 'GET', '/users/<userId>/files/<rest:path>', 'file');
  t.add(h('n'), 'GET', '/n/<v:int>/<f:float>/<d:digit>', 'typed');
  t.add(h('s'), 'GET', '/v1/items:batch/a b', 'static');
  t.add(h('r'), 'GET', '/', 'root');

  test('encodes each value per segment and keeps the pattern text', () => {
    expect(t.pathFromRoute('file', { userId: 'Jörg/x y', rest: 'a b/c?d.txt' })).toBe('/users/J%C3%B6rg%2Fx%20y/files/a%20b/c%3Fd.txt');
    expect(t.pathFromRoute('typed', { v: -3, f: 2.5, d: '007' })).toBe('/n/-3/2.5/007');
    expect(t.pathFromRoute('static')).toBe('/v1/items:batch/a%20b');
    expect(t.pathFromRoute('root', {})).toBe('/');
  });

  test('argument names of any case substitute (exact name first)', () => {
    expect(t.pathFromRoute('file', { userid: 5, REST: 'x' })).toBe('/users/5/files/x');
    expect(t.pathFromRoute('file', { userid: 1, userId: 2, rest: 'x' })).toBe('/users/2/files/x');
  });

  test('built paths lead back to their route with the same values', () => {
    const p = t.pathFromRoute('file', { userId: 'a/b%c', rest: 'é/f' });
    expect(t.find('GET', p)?.args).toEqual({ userId: 'a/b%c', rest: 'é/f' });
  });

  test('a missing argument, an unknown name or a refused value is ERR_MWS_INVALID_OPTION with a clear message', () => {
    expect(() => t.pathFromRoute('file', { rest: 'x' })).toThrow(/argument "userId" is missing/);
    expect(codeOf(() => t.pathFromRoute('file', { userId: null, rest: 'x' }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(() => t.pathFromRoute('nope')).toThrow(/no route is named "nope"/);
    expect(codeOf(() => t.pathFromRoute('nope'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('typed', { v: 'x', f: 1, d: '1' }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('typed', { v: 1, f: NaN, d: '1' }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('typed', { v: 1, f: 1, d: 1.5 }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('file', { userId: '', rest: 'x' }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('file', { userId: 1, rest: '../x' }))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => t.pathFromRoute('file', { userId: 1, rest: '/etc' }))).toBe('ERR_MWS_INVALID_OPTION');
  });
});

describe('RouteTable lookups reuse their working memory (issue 19)', () => {
  test('a short path after a long one sees only its own segments (the segment array is reused)', () => {
    const t = new RouteTable();
    t.add(h('one'), 'GET', '/a/<x>');
    t.add(h('rest'), 'GET', '/p/<r:path>');
    expect(argsOf(t, 'GET', '/a/b/c/d')).toBeNull();
    expect(argsOf(t, 'GET', '/a')).toBeNull(); // 'b', 'c', 'd' are still in the array, past the count
    expect(argsOf(t, 'GET', '/a/z')).toEqual({ x: 'z' });
    expect(argsOf(t, 'GET', '/p/1/2/3/4')).toEqual({ r: '1/2/3/4' });
    expect(argsOf(t, 'GET', '/p/1')).toEqual({ r: '1' }); // not '1/3/4'
  });

  test('the same path again reuses its split; any other path, in either table, is split anew', () => {
    const t = new RouteTable();
    const u = new RouteTable();
    t.add(h('t'), 'GET', '/j/<name>/<n:int>');
    u.add(h('u'), 'GET', '/j/<name>/<rest:path>');
    const p = '/j/ann/7';
    expect(argsOf(t, 'GET', p)).toEqual({ name: 'ann', n: 7 });
    expect(argsOf(t, 'GET', p)).toEqual({ name: 'ann', n: 7 });
    expect(argsOf(u, 'GET', p)).toEqual({ name: 'ann', rest: '7' }); // another table, the same probe
    expect(argsOf(t, 'GET', '/j/bob/8')).toEqual({ name: 'bob', n: 8 }); // same length, other segments
    expect(argsOf(t, 'GET', '/j/b%6Fb/8')).toEqual({ name: 'bob', n: 8 }); // escapes: decoded segments
    expect(argsOf(t, 'GET', '/j/b%2Fb/8')).toEqual({ name: 'b/b', n: 8 });
    expect(argsOf(t, 'GET', `/j/${'ann'}/${7}`)).toEqual({ name: 'ann', n: 7 }); // equal, another string
    expect(argsOf(t, 'GET', '/j/ann')).toBeNull();
    expect(argsOf(t, 'GET', p)).toEqual({ name: 'ann', n: 7 });
  });

  test('the same lookup again gives the same route, until a route is added; another method is looked up anew', () => {
    const t = new RouteTable();
    t.add(h('seg'), 'GET', '/x/<id>');
    expect(tagOf(t, 'GET', '/x/1')).toBe('seg');
    expect(argsOf(t, 'GET', '/x/1')).toEqual({ id: 1 }); // an untyped argument that reads as an integer is one (MicroWebSrv2)
    t.add(h('int'), 'GET', '/x/<n:int>'); // more specific at the same place: it wins from now on
    expect(tagOf(t, 'GET', '/x/1')).toBe('int'); // the same path and method as the last walk
    expect(argsOf(t, 'GET', '/x/1')).toEqual({ n: 1 });
    expect(tagOf(t, 'POST', '/x/1')).toBeNull();
    t.add(h('post'), 'POST', '/x/<id>');
    expect(tagOf(t, 'POST', '/x/1')).toBe('post');
    expect(tagOf(t, 'GET', '/x/1')).toBe('int');
    expect(argsOf(t, 'GET', '/x/a')).toEqual({ id: 'a' });
    const kept = t.lookup('GET', '/x/2')!.args;
    expect(t.lookup('GET', '/x/2')!.args).not.toBe(kept); // each request its own args, taken again or not
    expect(kept).toEqual({ n: 2 });
  });

  test('a static route: the same lookup again gives the same route, until a route is added; another key or method anew', () => {
    const t = new RouteTable();
    t.add(h('get'), 'GET', '/s');
    expect(tagOf(t, 'GET', '/s')).toBe('get');
    expect(tagOf(t, 'GET', '/s')).toBe('get');
    expect(tagOf(t, 'HEAD', '/s')).toBe('get'); // HEAD served by GET
    expect(tagOf(t, 'POST', '/s')).toBeNull(); // a miss is kept too...
    t.add(h('post'), 'POST', '/s'); // ...until a route is added: the same key's routes change
    expect(tagOf(t, 'POST', '/s')).toBe('post');
    t.add(h('head'), 'HEAD', '/s');
    expect(tagOf(t, 'HEAD', '/s')).toBe('head');
    expect(tagOf(t, 'GET', '/t')).toBeNull(); // another key of the same length
    t.add(h('tree'), 'GET', '/<x>');
    expect(tagOf(t, 'GET', '/t')).toBe('tree'); // a static miss goes on to the tree
    expect(tagOf(t, 'GET', '/s')).toBe('get');
    expect(tagOf(t, 'GET', `/${'s'}`)).toBe('get'); // equal, another string
  });

  test('lookup: the match object is reused, the args object is each request\'s own', () => {
    const t = new RouteTable();
    t.add(h('u'), 'GET', '/u/<id:int>');
    t.add(h('s'), 'GET', '/static');
    const first = t.lookup('GET', '/u/1')!;
    const args1 = first.args;
    const second = t.lookup('GET', '/u/2')!;
    expect(second).toBe(first);
    expect(args1).toEqual({ id: 1 }); // kept by a handler: not overwritten
    expect(second.args).toEqual({ id: 2 });
    expect(second.label).toBe('GET /u/<id:int>');
    expect((t.lookup('GET', '/static')!.handler as RouteHandler).tag).toBe('s');
    // find() still returns a fresh object each time (public API: the caller may keep it).
    expect(t.find('GET', '/u/3')).not.toBe(t.find('GET', '/u/3'));
  });

  test('each route makes its args as one object literal: its names in pattern order, as plain own properties', () => {
    const t = new RouteTable();
    t.add(h('a'), 'GET', '/a/<user-id>/<$x:int>/<constructor>');
    t.add(h('b'), 'GET', '/b/<toString>/<n:float>');
    const a = t.lookup('GET', '/a/Ann/7/c%22%7D')!.args;
    expect(Object.keys(a)).toEqual(['user-id', '$x', 'constructor']);
    expect(a).toEqual({ 'user-id': 'Ann', $x: 7, constructor: 'c"}' }); // a value is data, never code
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    const b = t.lookup('GET', '/b/s/1.5')!.args;
    expect(Object.keys(b)).toEqual(['toString', 'n']);
    expect(b.toString).toBe('s');
    expect(t.lookup('GET', '/a/Bob/8/d')!.args).not.toBe(a);
    expect(a['user-id']).toBe('Ann'); // a kept args object keeps its values
  });

  test('static children found alike while few (scanned) and many (a Map); long static paths match', () => {
    const t = new RouteTable();
    for (let i = 0; i < 12; i++) {
      t.add(h(`k${i}`), 'GET', `/k${i}/<id>`);
      // Each count from 1 to 12 children: every one registered so far is still found.
      for (let j = 0; j <= i; j++) expect(tagOf(t, 'GET', `/k${j}/x`)).toBe(`k${j}`);
      expect(tagOf(t, 'GET', `/k${i + 1}/x`)).toBeNull();
    }
    const long = '/' + 'a'.repeat(150);
    t.add(h('long'), 'GET', long);
    expect(tagOf(t, 'GET', long)).toBe('long');
    expect(tagOf(t, 'GET', long + 'b')).toBeNull();
    expect(tagOf(t, 'GET', '/' + 'a'.repeat(400))).toBeNull();
    expect(tagOf(t, 'GET', '/k3/%41')).toBe('k3');
  });
});

