import { checkHandshake, computeAcceptKey, isWebSocketUpgrade, parseProtocols } from './handshake';

const base = { method: 'GET', connection: 'Upgrade', upgrade: 'websocket', version: '13', key: 'dGhlIHNhbXBsZSBub25jZQ==', protocol: undefined };

describe('handshake (RFC 6455 §4.2)', () => {
  test('the accept key of the RFC example (§1.3)', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('upgrade detection: Connection lists upgrade, Upgrade lists websocket, case-insensitive', () => {
    expect(isWebSocketUpgrade({ connection: 'keep-alive, Upgrade', upgrade: 'WebSocket' })).toBe(true);
    expect(isWebSocketUpgrade({ connection: 'keep-alive', upgrade: 'websocket' })).toBe(false);
    expect(isWebSocketUpgrade({ connection: 'upgrade', upgrade: 'h2c' })).toBe(false);
    expect(isWebSocketUpgrade({ connection: undefined, upgrade: undefined })).toBe(false);
  });

  test('sub-protocol lists: tokens in order, duplicates dropped, a non-token refused', () => {
    expect(parseProtocols(undefined)).toEqual([]);
    expect(parseProtocols('chat, superchat ,chat')).toEqual(['chat', 'superchat']);
    expect(parseProtocols('a b')).toBeNull();
  });

  test('statuses: 405 for a non-GET, 426 for another version, 400 for a bad key or protocol list', () => {
    expect(checkHandshake(base)).toEqual({ ok: true, accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', offered: [] });
    expect(checkHandshake({ ...base, method: 'POST' })).toMatchObject({ ok: false, status: 405 });
    expect(checkHandshake({ ...base, version: '8' })).toMatchObject({ ok: false, status: 426 });
    expect(checkHandshake({ ...base, version: undefined })).toMatchObject({ ok: false, status: 426 });
    expect(checkHandshake({ ...base, key: 'short' })).toMatchObject({ ok: false, status: 400 });
    expect(checkHandshake({ ...base, key: undefined })).toMatchObject({ ok: false, status: 400 });
    expect(checkHandshake({ ...base, protocol: 'a, b c' })).toMatchObject({ ok: false, status: 400 });
  });
});
