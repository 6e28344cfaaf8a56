/**
 * One REPL session over one WebSocket: first the password (the first message; nothing reaches a REPL
 * before it is verified, and no REPL exists until then), then a Node REPL whose input and output are the
 * socket, until the socket closes, the user leaves (`.exit`, Ctrl-D, Ctrl-C twice) or the idle timeout.
 * The end frees everything: timers, streams, the REPL, the globals a REPL on the process's context sets.
 */
import { PassThrough } from 'node:stream';
import { REPLServer, type ReplOptions as NodeReplOptions } from 'node:repl';
import * as vm from 'node:vm';
import { createWebSocketStream, type WebSocket, type WebSocketStream } from '@microwebsrv/mods-websockets';
import { OutputGate } from './output-gate';
import type { PasswordCheck } from './password';

/** What a session needs of its module. */
export interface SessionHost {
  readonly label: string;
  readonly password: PasswordCheck;
  readonly settings: SessionSettings;
  log(msg: string, type: 'INFO' | 'WARNING' | 'ERROR'): void;
  /** A wrong password (or none in time) from `address`: the log line's suffix (next attempt, lock-out). */
  failed(address: string): string;
  succeeded(address: string): void;
  ended(session: ReplSession): void;
}

export interface SessionSettings {
  authTimeoutSec: number;
  idleTimeoutSec: number;
  maxOutputBytes: number;
  prompt: string;
  columns: number;
  /** null: the process's own context; else the only globals of a fresh vm context. */
  context: Record<string, unknown> | null;
}

/** The globals Node's REPL defines on the context it evaluates in (restored when a session on the process's context ends). */
const REPL_GLOBALS = ['module', 'require', '_', '_error'] as const;

/** `new REPLServer(options)` is documented (Node's repl docs); @types/node marks the constructor private. */
type ReplCtor = new (options: NodeReplOptions) => REPLServer;
const NodeRepl = REPLServer as unknown as ReplCtor;

/**
 * Node's REPL in a fresh vm context holding only what the user exposed: the REPL makes its context with
 * `createContext()` (also on `.clear`), overridden here. Not a security boundary (see docs/repl.md).
 */
function sandboxed(exposed: Record<string, unknown>): ReplCtor {
  return class SandboxREPL extends NodeRepl {
    createContext(): vm.Context { return vm.createContext({ ...exposed }); }
  };
}

/** Re-adds the process's SIGINT listeners, so that Node installs its signal handler again (see _start). */
function rearmSigint(): void {
  // rawListeners: `once` wrappers stay once.
  const listeners = process.rawListeners('SIGINT') as Array<(...args: unknown[]) => void>;
  if (listeners.length === 0) return;
  process.removeAllListeners('SIGINT');
  for (const l of listeners) process.on('SIGINT', l);
}

export class ReplSession {
  readonly address: string;
  private readonly _ws: WebSocket;
  private readonly _host: SessionHost;
  private readonly _who: string;
  private _phase: 'auth' | 'checking' | 'repl' | 'ended' = 'auth';
  private _timer: NodeJS.Timeout | null = null;
  private _stream: WebSocketStream | null = null;
  private _input: PassThrough | null = null;
  private _gate: OutputGate | null = null;
  private _repl: REPLServer | null = null;
  private _saved: Array<[string, PropertyDescriptor | undefined]> = [];
  private _inputFull = false;
  private _outputFull = false;

  constructor(ws: WebSocket, host: SessionHost) {
    this._ws = ws;
    this._host = host;
    const [addr, port] = ws.request.userAddress;
    this.address = addr;
    this._who = `${addr}:${port}`;
    ws.onTextMessage = (_w, text) => this._password(text);
    ws.onBinaryMessage = (_w, data) => this._password(data.toString('utf8'));
    ws.onClosed = () => this._end('closed by the client');
    this._arm(host.settings.authTimeoutSec, () => {
      host.log(`${host.label}: no password from ${this._who} within ${host.settings.authTimeoutSec} s${host.failed(this.address)}`, 'WARNING');
      this._close(1008, 'authentication timeout');
      this._ws.resumeReceiving();
    });
  }

  get authenticated(): boolean { return this._phase === 'repl'; }

  /** Ends the session from the server's side (stop, or the module unloading): the socket closes with `code`. */
  close(code = 1001, reason = 'server stopping'): void { this._close(code, reason); }

  private _password(candidate: string): void {
    if (this._phase !== 'auth') return;
    this._phase = 'checking';
    this._clearTimer();
    // Nothing more is read while the password is checked: later messages wait in the connection's slot.
    this._ws.pauseReceiving();
    void this._host.password.verify(candidate).then((ok) => this._verdict(ok));
  }

  private _verdict(ok: boolean): void {
    const host = this._host;
    if (!ok) {
      host.log(`${host.label}: wrong password from ${this._who}${host.failed(this.address)}`, 'WARNING');
      if (this._phase === 'ended') return;
      this._ws.sendTextMessage('\r\nAccess denied.\r\n');
      this._close(1008, 'wrong password');
      // Read again so that the client's Close frame is seen (RFC 6455 §7.1.1); any message queued behind
      // the password reaches only _password, which ignores it now.
      this._ws.resumeReceiving();
      return;
    }
    if (this._phase === 'ended') return;
    host.succeeded(this.address);
    host.log(`${host.label}: login from ${this._who}`, 'INFO');
    this._phase = 'repl';
    this._start();
  }

  private _start(): void {
    const s = this._host.settings;
    // The stream takes the socket's callbacks over (and resumes receiving when read).
    const stream = createWebSocketStream(this._ws, { encoding: 'utf8', sendAs: 'text' });
    this._stream = stream;
    const input = new PassThrough({ encoding: 'utf8' });
    this._input = input;
    const gate = new OutputGate(stream, s.maxOutputBytes, s.columns, () => { this._outputFull = true; this._flow(); });
    this._gate = gate;
    stream.on('drain', () => { this._outputFull = false; this._flow(); });
    input.on('drain', () => { this._inputFull = false; this._flow(); });
    stream.on('data', (chunk: string) => {
      this._idle();
      if (!input.write(chunk)) { this._inputFull = true; this._flow(); }
    });
    stream.on('close', () => this._end('connection closed'));
    stream.on('error', () => { /* the close that follows ends the session */ });
    const options: NodeReplOptions = { input, output: gate, terminal: true, prompt: s.prompt, useColors: true, breakEvalOnSigint: true, useGlobal: s.context === null };
    if (s.context === null) this._saved = REPL_GLOBALS.map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)]);
    const Repl = s.context === null ? NodeRepl : sandboxed(s.context);
    const repl = new Repl(options);
    this._repl = repl;
    // breakEvalOnSigint (Ctrl-C interrupts an awaiting evaluation) runs each evaluation under V8's SIGINT
    // watchdog, which leaves SIGINT to its default action when it stops: the process's own SIGINT
    // listeners (stopOnSignals: a graceful stop) would be lost and Ctrl-C on the server would kill it.
    // Re-adding the listeners after each evaluation makes Node install its handler again.
    const evaluate = repl.eval;
    (repl as { eval: REPLServer['eval'] }).eval = function (this: REPLServer, code, context, file, cb) {
      try {
        evaluate.call(this, code, context, file, (err, result) => { rearmSigint(); cb(err, result); });
      } finally {
        rearmSigint();
      }
    };
    repl.on('exit', () => this._close(1000, 'bye'));
    this._idle();
  }

  /** Reads the client's input only while both the REPL's input and the socket's output have room. */
  private _flow(): void {
    const stream = this._stream;
    if (stream === null || this._phase !== 'repl') return;
    if (this._inputFull || this._outputFull) stream.pause();
    else stream.resume();
  }

  private _idle(): void {
    const sec = this._host.settings.idleTimeoutSec;
    if (sec === 0) return;
    this._arm(sec, () => {
      this._host.log(`${this._host.label}: session of ${this._who} idle for ${sec} s: closed`, 'INFO');
      this._stream?.write(`\r\n[idle for ${sec} s: session closed]\r\n`);
      this._close(1000, 'idle timeout');
    });
  }

  private _arm(sec: number, fire: () => void): void {
    this._clearTimer();
    this._timer = setTimeout(fire, sec * 1000);
    this._timer.unref();
  }

  private _clearTimer(): void {
    if (this._timer !== null) { clearTimeout(this._timer); this._timer = null; }
  }

  private _close(code: number, reason: string): void {
    // Output already handed to the socket goes out before the Close frame (RFC 6455 §5.5.1: Close is last).
    this._ws.close(code, reason);
    this._end(reason);
  }

  private _end(why: string): void {
    if (this._phase === 'ended') return;
    const wasRepl = this._phase === 'repl';
    this._phase = 'ended';
    this._clearTimer();
    const repl = this._repl;
    this._repl = null;
    if (repl !== null) { repl.removeAllListeners('exit'); repl.close(); }
    this._input?.destroy();
    this._gate?.destroy();
    if (this._stream !== null && !this._stream.writableEnded) this._stream.destroy();
    for (const [k, d] of this._saved) {
      if (d === undefined) delete (globalThis as Record<string, unknown>)[k];
      else Object.defineProperty(globalThis, k, d);
    }
    this._saved = [];
    if (wasRepl) this._host.log(`${this._host.label}: session of ${this._who} ended (${why})`, 'INFO');
    this._host.ended(this);
  }
}
