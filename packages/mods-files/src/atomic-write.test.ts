/** The atomic writer on the real file system, fed by BodySources of its own (no server). */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeAtomic, WriteRefused, type WritePlan } from './index';
import { cleanup, tempDir, tempsUnder } from './__tests__/helpers';

afterEach(cleanup);

const plan = (over: Partial<WritePlan> = {}): WritePlan => ({ maxBytes: Number.MAX_SAFE_INTEGER, take: () => true, precondition: async () => 0, createOnly: false, ...over });

async function* chunks(parts: Array<string | Error>, beforeEach?: (i: number) => Promise<void>): AsyncIterable<Buffer> {
  for (let i = 0; i < parts.length; i++) {
    await beforeEach?.(i);
    const p = parts[i];
    if (p instanceof Error) throw p;
    yield Buffer.from(p);
  }
}

describe('writeAtomic', () => {
  test('stores the whole body, reports replaced and the old size', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f.txt');
    writeFileSync(file, 'old!');
    const stored = await writeAtomic(file, { chunks: chunks(['a', 'bc', 'def']), signal: new AbortController().signal }, plan());
    expect(stored).toEqual({ size: 6, replaced: true, replacedSize: 4 });
    expect(readFileSync(file, 'utf8')).toBe('abcdef');
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });

  test('a source that fails, an abort, a size past maxBytes, a quota refusal: the old file stays, no temp', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f.txt');
    writeFileSync(file, 'old');
    const fail = new Error('client gone');
    await expect(writeAtomic(file, { chunks: chunks(['new', fail]), signal: new AbortController().signal }, plan())).rejects.toBe(fail);
    const ac = new AbortController();
    await expect(writeAtomic(file, { chunks: chunks(['a', 'b'], async (i) => { if (i === 1) ac.abort(new Error('timeout')); }), signal: ac.signal }, plan())).rejects.toThrow('timeout');
    await expect(writeAtomic(file, { chunks: chunks(['12345', '678']), signal: new AbortController().signal }, plan({ maxBytes: 6 }))).rejects.toMatchObject({ status: 413 });
    await expect(writeAtomic(file, { chunks: chunks(['12345']), signal: new AbortController().signal }, plan({ take: () => false }))).rejects.toBeInstanceOf(WriteRefused);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(tempsUnder(dir)).toEqual([]);
  });

  test('createOnly: two writers racing to create one name, one wins, the other gets 412', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'new.txt');
    const src = (s: string) => ({ chunks: chunks([s, s]), signal: new AbortController().signal });
    const results = await Promise.allSettled([writeAtomic(file, src('A'), plan({ createOnly: true })), writeAtomic(file, src('B'), plan({ createOnly: true }))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ status: 412 });
    expect(['AA', 'BB']).toContain(readFileSync(file, 'utf8'));
    expect(tempsUnder(dir)).toEqual([]);
  });
});
