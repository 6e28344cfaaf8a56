import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The workspace root. */
export const ROOT = path.resolve(__dirname, '../..');
/** The published packages, in dependency order (folder names under packages/). */
export const PACKAGES = ['xasync', 'core', 'mods-websockets', 'mods-template', 'mods-repl', 'mods-sse', 'mods-files', 'bus-redis', 'mods-metrics'] as const;

/** The workspace's own package.json (its `packageManager` pins pnpm, its devDependencies @types/node). */
export const rootManifest: { packageManager: string; devDependencies: Record<string, string> } =
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/**
 * Runs `cmd args` in `cwd` and resolves with its output (stdout and stderr interleaved); rejects with a
 * message holding the command and its output when it exits non-zero or outlives `timeoutMs`.
 */
export function run(cmd: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // npm and npx are .cmd scripts on Windows, which spawn runs only through a shell.
    const child = spawn(cmd, args, { cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('error', (err) => { clearTimeout(timer); reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}`)); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}

/** Throws, naming what to run, when a package has not been built (the test command runs `tsc -b` first). */
export function assertBuilt(): void {
  for (const name of PACKAGES) {
    for (const file of ['dist/index.js', 'dist/index.d.ts']) {
      if (!fs.existsSync(path.join(ROOT, 'packages', name, file))) {
        throw new Error(`packages/${name}/${file} is missing: build first (\`npx tsc -b\`; \`pnpm test\` does)`);
      }
    }
  }
}

/**
 * Packs the four packages with the workspace's pinned pnpm (as `pnpm pack:all` does: pnpm rewrites
 * `workspace:` specifiers into versions) into `dest`; resolves with the tarballs' paths.
 */
export async function packAll(dest: string): Promise<string[]> {
  await run('npx', ['-y', rootManifest.packageManager, '-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], ROOT);
  const tarballs = fs.readdirSync(dest).filter((f) => f.endsWith('.tgz')).map((f) => path.join(dest, f));
  if (tarballs.length !== PACKAGES.length) throw new Error(`pnpm pack wrote ${tarballs.length} tarballs, not ${PACKAGES.length}: ${tarballs.join(', ')}`);
  return tarballs;
}

/** The files of a .tgz (ustar, with pax `path` records), by path inside the package (`dist/index.js`). */
export function readTarball(file: string): Map<string, Buffer> {
  const tar = gunzipSync(fs.readFileSync(file));
  const files = new Map<string, Buffer>();
  let paxPath: string | null = null;
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const field = (from: number, len: number) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(at + 512, at + 512 + size);
    const prefix = field(345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    paxPath = null;
    if (type === 'x') paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? null;
    else if (type === '0' || type === '\0') files.set(name.replace(/^package\//, ''), Buffer.from(body));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * What is wrong with a package's tarball, as readable lines (empty: nothing): build info or tests
 * shipped, a source map whose source or generated file is not in the tarball (unless the map inlines the
 * source), no LICENSE, no README although the package has one, `workspace:` specifiers left over.
 */
export function tarballProblems(name: string, files: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  for (const f of files.keys()) {
    if (f.endsWith('.tsbuildinfo')) problems.push(`${f}: TypeScript build info is shipped`);
    if (/(^|\/)__tests__\/|\.test\.[cm]?[jt]s(\.map)?$|\.test\.d\.[cm]?ts/.test(f)) problems.push(`${f}: a test file is shipped`);
    if (!f.endsWith('.map')) continue;
    const map = JSON.parse(files.get(f)!.toString('utf8')) as { file?: string; sources: string[]; sourceRoot?: string; sourcesContent?: (string | null)[] };
    const dir = path.posix.dirname(f);
    if (map.file !== undefined && !files.has(path.posix.join(dir, map.file))) problems.push(`${f}: its file ${map.file} is not in the tarball`);
    map.sources.forEach((source, i) => {
      const target = path.posix.join(dir, map.sourceRoot ?? '', source);
      if (!files.has(target) && typeof map.sourcesContent?.[i] !== 'string') {
        const why = fs.existsSync(path.join(ROOT, 'packages', name, target))
          ? 'the package.json "files" leave it out'
          : `no such source in the workspace: a stale build output? remove packages/${name}/dist and build again`;
        problems.push(`${f}: its source ${target} is not in the tarball (${why})`);
      }
    });
  }
  if (!files.has('LICENSE')) problems.push('no LICENSE');
  if (fs.existsSync(path.join(ROOT, 'packages', name, 'README.md')) && !files.has('README.md')) problems.push('no README.md');
  const manifest = files.get('package.json')?.toString('utf8') ?? '';
  if (manifest.includes('workspace:')) problems.push('package.json still holds workspace: specifiers');
  return problems;
}
