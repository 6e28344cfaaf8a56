/**
 * What a MicroWebSrv is configured with before it starts: the presets and pool shape, the address, the
 * timeouts, TLS files, static-file settings and the MIME table, each validated when set. The running
 * server (micro-web-srv.ts) extends it, through ServerStages (server-stages.ts); settings that shape the
 * pool or the listener throw ERR_MWS_RUNNING while it runs.
 */
import * as path from 'node:path';
import { MwsError, assertIntOption, assertNumberOption, invalidOption } from '../base/errors';
import type { ConnectionLimits } from '../engine/connection-host';
import { responseDefaults, type ResponseDefaults } from '../response/response-defaults';
import { checkBoolean, checkDefaultPage, checkDefaultPages, checkStaticCacheControl, checkStaticFileChunkSize, checkStaticMaxRanges, defaultStaticOptions, FILE_CHUNK_BY_PRESET, type StaticOptions } from '../static/options';
import { DEFAULT_MIME_TYPES, UNKNOWN_MIME_TYPE, checkStaticUnknownType, databaseMimeType, type StaticUnknownType } from './mime-types';
import { PRESETS, type PresetName, type PresetValues } from './presets';

/** Certificate files for `enableSSL` (PEM). */
export interface SSLFiles {
  certFile: string;
  keyFile: string;
  /** Intermediate CA certificates sent along with `certFile` (the chain). Client certificates are not requested. */
  caFile?: string;
}

/** The settings half of {@link MicroWebSrv} (use that class; this one is not exported from the package). */
export abstract class ServerSettings {
  /** Static-file settings, read per request by the static stage. */
  private readonly _static: StaticOptions = defaultStaticOptions();
  /** What responses read of the server (data, updated by the setters below). */
  protected readonly _defaults: ResponseDefaults = responseDefaults({ mimeTypeOf: (name) => this.getMimeTypeFromFilename(name) });
  /** What connections read of the server: timeouts and the body limit (updated by the setters). */
  protected readonly _limits: { -readonly [K in keyof ConnectionLimits]: ConnectionLimits[K] } = {
    headersTimeoutSec: 2, bodyTimeoutSec: 2, keepAliveTimeoutSec: 2, maxRequestContentLength: PRESETS.Normal.maxRequestContentLength,
  };
  protected _cfg: PresetValues = { ...PRESETS.Normal };
  protected _bind: [string, number] = ['0.0.0.0', 80];
  private _rootPath = 'www';
  /** True once `rootPath` was set (handler mode serves static files before its handler only then). */
  protected _rootPathSet = false;
  protected _requestsTimeoutSec = 2;
  private _headersTimeout: number | null = null;
  private _bodyTimeout: number | null = null;
  private _keepAliveTimeout: number | null = null;
  protected _stopTimeoutSec = 5;
  private _serverName: string | null = 'MicroWebSrv-TS';
  protected _ssl: SSLFiles | null = null;
  private _mime: Record<string, string> = { ...DEFAULT_MIME_TYPES };
  private _unknownType: StaticUnknownType = 'octet-stream';
  /** addressPrefixV4, addressPrefixV6. */
  protected readonly _addrPrefix: [number, number] = [32, 64];
  private _evict = true;
  private _fairShare = true;

  /** True while the server runs or is starting (settings that shape it are then refused). */
  protected abstract _busy(): boolean;

  // ---- presets and settings --------------------------------------------------------------------

  /** 64 queued / 16 slots × 1 KiB / 16 KiB max content / 64 KiB of buffered bodies. */
  setEmbeddedConfig(): void { this._preset('Embedded'); }
  /** 511 queued / 128 slots × 1 KiB / 512 KiB max content / 8 MiB of buffered bodies. */
  setLightConfig(): void { this._preset('Light'); }
  /** The default: 511 queued / 512 slots × 4 KiB / 2 MiB max content / 64 MiB of buffered bodies. */
  setNormalConfig(): void { this._preset('Normal'); }
  /** 1024 queued / 2048 slots × 16 KiB / 8 MiB max content / 256 MiB of buffered bodies. */
  setLargeConfig(): void { this._preset('Large'); }

  /**
   * Listen backlog (1 to 65535): connections the kernel completes before they are accepted. Default 511
   * (Node's), 64 on Embedded, 1024 on Large; the kernel caps it at net.core.somaxconn. A burst beyond it
   * waits for the client's SYN retry (about 1 s).
   */
  get connQueueCapacity(): number { return this._cfg.connQueueCapacity; }
  set connQueueCapacity(v: number) { this._notRunning('connQueueCapacity'); this._cfg.connQueueCapacity = assertIntOption('connQueueCapacity', v, 1, 65535); }
  /** Buffer slots, i.e. the most connections served at once (1 to 1,000,000). */
  get bufferSlotsCount(): number { return this._cfg.bufferSlotsCount; }
  set bufferSlotsCount(v: number) { this._notRunning('bufferSlotsCount'); this._cfg.bufferSlotsCount = assertIntOption('bufferSlotsCount', v, 1, 1_000_000); }
  /** Bytes per slot: the largest request head (1024 to 16 MiB). */
  get bufferSlotSize(): number { return this._cfg.bufferSlotSize; }
  set bufferSlotSize(v: number) { this._notRunning('bufferSlotSize'); this._cfg.bufferSlotSize = assertIntOption('bufferSlotSize', v, 1024, 16 * 1024 * 1024); }
  /** Allocate every slot at start (true) or per connection (false). */
  get keepAllocBufferSlots(): boolean { return this._cfg.keepAllocBufferSlots; }
  set keepAllocBufferSlots(v: boolean) {
    this._notRunning('keepAllocBufferSlots');
    if (typeof v !== 'boolean') throw invalidOption('keepAllocBufferSlots', 'a boolean', v);
    this._cfg.keepAllocBufferSlots = v;
  }
  /** Largest request body; larger ones get 413 before they are read. */
  get maxRequestContentLength(): number { return this._cfg.maxRequestContentLength; }
  set maxRequestContentLength(v: number) {
    this._notRunning('maxRequestContentLength');
    this._cfg.maxRequestContentLength = this._limits.maxRequestContentLength = assertIntOption('maxRequestContentLength', v, 0, Number.MAX_SAFE_INTEGER);
  }

  // ---- availability under attack (docs/availability.md) ---------------------------------------

  /** Memory all request bodies being buffered may hold at once; beyond it 503 + Retry-After (0: no budget). Streamed bodies do not count. */
  get maxBufferedBodyBytes(): number { return this._cfg.maxBufferedBodyBytes; }
  set maxBufferedBodyBytes(v: number) { this._notRunning('maxBufferedBodyBytes'); this._cfg.maxBufferedBodyBytes = assertIntOption('maxBufferedBodyBytes', v, 0, Number.MAX_SAFE_INTEGER); }
  /** A request body must average this rate after `bodyRateGraceSec`, else 408 (0: off; mod_reqtimeout's MinRate). */
  get minBodyRateBytesPerSec(): number { return this._cfg.minBodyRateBytesPerSec; }
  set minBodyRateBytesPerSec(v: number) { this._cfg.minBodyRateBytesPerSec = assertIntOption('minBodyRateBytesPerSec', v, 0, 1024 * 1024 * 1024); }
  /** Seconds a body may take before its rate is checked (0.5 to 3600). */
  get bodyRateGraceSec(): number { return this._cfg.bodyRateGraceSec; }
  set bodyRateGraceSec(v: number) { this._cfg.bodyRateGraceSec = assertNumberOption('bodyRateGraceSec', v, 0.5, 3600); }
  /** A response waiting to be sent must drain at this rate, else the connection is closed (0: off; slow readers). */
  get minSendRateBytesPerSec(): number { return this._cfg.minSendRateBytesPerSec; }
  set minSendRateBytesPerSec(v: number) { this._cfg.minSendRateBytesPerSec = assertIntOption('minSendRateBytesPerSec', v, 0, 1024 * 1024 * 1024); }
  /** Seconds over which the drain rate is measured (1 to 3600). */
  get sendRateWindowSec(): number { return this._cfg.sendRateWindowSec; }
  set sendRateWindowSec(v: number) { this._cfg.sendRateWindowSec = assertNumberOption('sendRateWindowSec', v, 1, 3600); }
  /** Most connections (hence slots) one client address group may hold; more get 503 (0: no cap, the default: clients behind one NAT or proxy share an address). */
  get maxConnectionsPerAddress(): number { return this._cfg.maxConnectionsPerAddress; }
  set maxConnectionsPerAddress(v: number) { this._notRunning('maxConnectionsPerAddress'); this._cfg.maxConnectionsPerAddress = assertIntOption('maxConnectionsPerAddress', v, 0, 1_000_000); }
  /** IPv4 addresses count together by this prefix for `maxConnectionsPerAddress` (0 to 32, default 32: each address). */
  get addressPrefixV4(): number { return this._addrPrefix[0]; }
  set addressPrefixV4(v: number) { this._notRunning('addressPrefixV4'); this._addrPrefix[0] = assertIntOption('addressPrefixV4', v, 0, 32); }
  /** IPv6 addresses count together by this prefix (0 to 128, default 64: a client usually holds a whole /64). */
  get addressPrefixV6(): number { return this._addrPrefix[1]; }
  set addressPrefixV6(v: number) { this._notRunning('addressPrefixV6'); this._addrPrefix[1] = assertIntOption('addressPrefixV6', v, 0, 128); }
  /**
   * Seconds a new connection that finds the pool full and nothing to evict waits for a slot (paused,
   * holding none) before its 503: a connection may close or become evictable meanwhile (0 to 60; 0: 503 at once).
   */
  get poolFullWaitSec(): number { return this._cfg.poolFullWaitSec; }
  set poolFullWaitSec(v: number) { this._notRunning('poolFullWaitSec'); this._cfg.poolFullWaitSec = assertNumberOption('poolFullWaitSec', v, 0, 60); }
  /** When the pool is full, a new connection takes the slot of an idle, then slow-head, then slow-body one (default true); false: 503. */
  get evictWhenPoolFull(): boolean { return this._evict; }
  set evictWhenPoolFull(v: boolean) { this._evict = checkBoolean('evictWhenPoolFull', v); }
  /**
   * When the pool is full, a newcomer from an address group that holds almost no connection may take the
   * slot of a reader that has taken nothing for 25 ms from a group that holds more than half the pool,
   * before it is judged slow (default true; docs/availability.md, rule 5: turn it off when a proxy or NAT
   * in front of the server carries most clients and others connect directly).
   */
  get fairShareEviction(): boolean { return this._fairShare; }
  set fairShareEviction(v: boolean) { this._fairShare = checkBoolean('fairShareEviction', v); }

  /** Not found pages redirect here when set (never to themselves). */
  get notFoundURL(): string | null { return this._defaults.notFoundURL; }
  set notFoundURL(v: string | null) {
    // '' and undefined mean none, as with the plain field of earlier versions (notFoundURL = process.env.X).
    if (v !== null && v !== undefined && typeof v !== 'string') throw invalidOption('notFoundURL', 'a URL or path such as /404.html, or null', v);
    this._defaults.notFoundURL = v ? v : null;
  }
  /** Echo the request's Origin in Access-Control-Allow-Origin (with Vary: Origin). */
  get allowAllOrigins(): boolean { return this._defaults.allowAllOrigins; }
  set allowAllOrigins(v: boolean) { this._defaults.allowAllOrigins = Boolean(v); } // truthy, as the plain field was
  /** Answer CORS pre-flights allowing everything, and allow credentials with echoed origins. */
  get corsAllowAll(): boolean { return this._defaults.corsAllowAll; }
  set corsAllowAll(v: boolean) { this._defaults.corsAllowAll = Boolean(v); } // truthy, as the plain field was

  /** [host, port] to listen on (default ['0.0.0.0', 80]; 443 when SSL is enabled). Port 0 picks a free one. */
  get bindAddress(): [string, number] { return [this._bind[0], this._bind[1]]; }
  set bindAddress(v: [string, number]) {
    this._notRunning('bindAddress');
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || v[1] < 0 || v[1] > 65535) {
      throw invalidOption('bindAddress', "[host, port] with a port from 0 to 65535, e.g. ['0.0.0.0', 8080]", v);
    }
    this._bind = [v[0], v[1]];
  }

  /** Folder of static files (default 'www'). */
  get rootPath(): string { return this._rootPath; }
  set rootPath(v: string) {
    this._notRunning('rootPath');
    if (typeof v !== 'string' || v.length === 0) throw invalidOption('rootPath', 'a non-empty folder path', v);
    this._rootPath = v;
    this._rootPathSet = true;
  }

  /** Seconds for a request head, a body stall and a keep-alive idle period, unless set one by one (default 2). */
  get requestsTimeoutSec(): number { return this._requestsTimeoutSec; }
  set requestsTimeoutSec(v: number) { this._requestsTimeoutSec = assertNumberOption('requestsTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds to receive a complete head (null: requestsTimeoutSec). */
  get headersTimeoutSec(): number | null { return this._headersTimeout; }
  set headersTimeoutSec(v: number | null) { this._headersTimeout = v === null ? null : assertNumberOption('headersTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds a body may stall (null: requestsTimeoutSec). */
  get bodyTimeoutSec(): number | null { return this._bodyTimeout; }
  set bodyTimeoutSec(v: number | null) { this._bodyTimeout = v === null ? null : assertNumberOption('bodyTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds an idle keep-alive connection is kept (null: requestsTimeoutSec). */
  get keepAliveTimeoutSec(): number | null { return this._keepAliveTimeout; }
  set keepAliveTimeoutSec(v: number | null) { this._keepAliveTimeout = v === null ? null : assertNumberOption('keepAliveTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds `stop()` lets in-flight responses finish before it closes everything (default 5). */
  get stopTimeoutSec(): number { return this._stopTimeoutSec; }
  set stopTimeoutSec(v: number) { this._stopTimeoutSec = assertNumberOption('stopTimeoutSec', v, 0, 3600); }

  /** Value of the Server field (null: none). */
  get serverName(): string | null { return this._serverName; }
  set serverName(v: string | null) {
    if (v !== null && (typeof v !== 'string' || /[\r\n\x00]/.test(v) || v.length === 0)) throw invalidOption('serverName', 'a non-empty string without CR/LF, or null', v);
    this._serverName = v;
    this._defaults.serverLine = v === null ? '' : `Server: ${v}\r\n`;
  }

  // ---- SSL -------------------------------------------------------------------------------------

  /** Serves HTTPS with these PEM files (read at start). Port 80 switches to 443, as the original. */
  enableSSL(files: SSLFiles): void {
    this._notRunning('enableSSL');
    if (files === null || typeof files !== 'object' || typeof files.certFile !== 'string' || typeof files.keyFile !== 'string') {
      throw invalidOption('enableSSL', '{ certFile, keyFile, caFile? } with file paths', files);
    }
    this._ssl = { ...files };
    if (this._bind[1] === 80) this._bind[1] = 443;
  }

  /** Back to plain HTTP; port 443 switches back to 80. */
  disableSSL(): void {
    this._notRunning('disableSSL');
    this._ssl = null;
    if (this._bind[1] === 443) this._bind[1] = 80;
  }

  get isSSLEnabled(): boolean { return this._ssl !== null; }

  /** The live static-file settings (change them through the setters below, which check each value). */
  get staticOptions(): Readonly<StaticOptions> { return this._static; }

  // ---- static files ----------------------------------------------------------------------------

  /** Adds a default page, tried in order for a folder (index.html, index.htm, default.html, default.htm first). */
  addDefaultPage(name: string): void {
    const n = checkDefaultPage(name);
    if (!this._static.defaultPages.includes(n)) this._static.defaultPages.push(n);
  }
  get defaultPages(): string[] { return [...this._static.defaultPages]; }
  set defaultPages(v: string[]) { this._static.defaultPages = checkDefaultPages(v); }
  /** Cache-Control of static files (default 'max-age=3600'; null: none). ETag/Last-Modified make revalidation a 304. */
  get staticCacheControl(): string | null { return this._static.cacheControl; }
  set staticCacheControl(v: string | null) { this._static.cacheControl = checkStaticCacheControl(v); }
  /** Serve files and folders whose name starts with '.' (default false: they are 404). */
  get serveDotFiles(): boolean { return this._static.serveDotFiles; }
  set serveDotFiles(v: boolean) { this._static.serveDotFiles = checkBoolean('serveDotFiles', v); }
  /** Most ranges in one request (default 16; 0 disables ranges); more, or overlapping ones, get the whole file. */
  get staticMaxRanges(): number { return this._static.maxRanges; }
  set staticMaxRanges(v: number) { this._static.maxRanges = checkStaticMaxRanges(v); }
  /** Serve `file.br` / `file.gz` siblings to clients that accept them (default true). */
  get staticPrecompressed(): boolean { return this._static.precompressed; }
  set staticPrecompressed(v: boolean) { this._static.precompressed = checkBoolean('staticPrecompressed', v); }
  /**
   * Bytes per read of a streamed file (above 64 KiB, or a range): a client that stops reading holds one
   * such chunk. Set by the presets (Embedded 4 KiB, Light 32 KiB, Normal and Large 64 KiB); 4 KiB to 1 MiB.
   */
  get staticFileChunkSize(): number { return this._static.fileChunkSize ?? FILE_CHUNK_BY_PRESET.Normal; }
  set staticFileChunkSize(v: number) { this._static.fileChunkSize = checkStaticFileChunkSize(v); }

  /**
   * Adds or replaces a MIME type for an extension ('.ext' or 'ext'); it wins over the database. `''`
   * maps files without an extension (`LICENSE`, ACME challenge tokens).
   */
  addMimeType(ext: string, mimeType: string): void {
    if (typeof ext !== 'string' || !/^(?:\.?[A-Za-z0-9_+-]+)?$/.test(ext)) throw invalidOption('addMimeType ext', "an extension such as '.webp', or '' for files without one", ext);
    if (typeof mimeType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) throw invalidOption('addMimeType mimeType', "a type/subtype such as 'image/webp'", mimeType);
    this._mime[ext === '' || ext.startsWith('.') ? ext.toLowerCase() : '.' + ext.toLowerCase()] = mimeType;
  }

  /** The server's own table by extension: MicroWebSrv2's 22 types and what `addMimeType` added (a copy). */
  get mimeTypes(): Record<string, string> { return { ...this._mime }; }

  /**
   * What files of unknown type get, from static files and `returnFile`: 'octet-stream' (default: sent as
   * application/octet-stream) or 'refuse' (403 and a DEBUG log line, as MicroWebSrv2).
   */
  get staticUnknownType(): StaticUnknownType { return this._unknownType; }
  set staticUnknownType(v: StaticUnknownType) { this._unknownType = checkStaticUnknownType(v); }

  /**
   * The MIME type for a file name: the server's table (`mimeTypes`), then the standard database (mime-db's
   * web types), then application/octet-stream — or null when `staticUnknownType` is 'refuse' (not served).
   */
  getMimeTypeFromFilename(filename: string): string | null {
    return this.lookupMimeType(filename) ?? (this._unknownType === 'refuse' ? null : UNKNOWN_MIME_TYPE);
  }

  /** The MIME type the server's table or the standard database gives a file name, null when neither knows it. */
  lookupMimeType(filename: string): string | null {
    const ext = path.extname(filename).toLowerCase();
    return this._mime[ext] ?? databaseMimeType(ext);
  }

  // ---- internals -------------------------------------------------------------------------------

  private _preset(name: PresetName): void {
    this._notRunning(`set${name}Config`);
    this._cfg = { ...PRESETS[name] };
    this._static.fileChunkSize = FILE_CHUNK_BY_PRESET[name];
    this._limits.maxRequestContentLength = this._cfg.maxRequestContentLength;
  }

  protected _notRunning(what: string): void {
    if (this._busy()) throw new MwsError('ERR_MWS_RUNNING', `${what} cannot change while the server runs: stop() it first`);
  }

  protected _applyTimeouts(): void {
    const base = this._requestsTimeoutSec;
    const l = this._limits;
    l.headersTimeoutSec = this._headersTimeout ?? base;
    l.bodyTimeoutSec = this._bodyTimeout ?? base;
    l.keepAliveTimeoutSec = this._keepAliveTimeout ?? base;
    const t = Math.max(1, Math.round(l.keepAliveTimeoutSec));
    this._defaults.keepAliveLine = `Keep-Alive: timeout=${t}\r\n\r\n`;
    this._defaults.keepAliveLine10 = `Connection: keep-alive\r\nKeep-Alive: timeout=${t}\r\n\r\n`;
  }
}
