import * as net from 'node:net';
import { ClientState, kFail, type ClientOwner } from '../client-state';
import { ClientTimers } from '../client-timers';
import type { XClosedReason } from '../closed-reason';
import { CoarseTimer } from '../coarse-timer';
import { kDestroyNow, kJoin, kLeave, type MemberPool } from '../pool-member';
import { ReadFlow } from '../read-flow';
import { SlotReader } from '../slot-reader';
import { resolveClientOptions } from '../tcp-client-options';

/**
 * A connection's state without a connection: the helpers (receive modes, read flow) run against it as
 * they do inside XAsyncTCPClient, and the harness records what they ask of the owner and the pool.
 */
export interface StateHarness {
  s: ClientState;
  /** The state's socket: a real, unconnected net.Socket. */
  sock: net.Socket;
  flow: ReadFlow;
  timers: ClientTimers;
  owner: ClientOwner;
  /** The closes the helpers asked for, in order. */
  failures: Array<{ reason: XClosedReason; err: Error | null }>;
  /** Exceptions of user callbacks, as the pool's onCallbackError received them. */
  callbackErrors: unknown[];
  /** Stops the shared timer (call at the end of a test). */
  done(): void;
}

export function stateHarness(slotSize = 16): StateHarness {
  const failures: StateHarness['failures'] = [];
  const callbackErrors: unknown[] = [];
  const owner: ClientOwner = {
    closedReason: null,
    onRecvTimeout: null,
    // What XAsyncTCPClient does on a failure, as far as the state goes: the connection is closing.
    [kFail](reason, err) { failures.push({ reason, err }); s.closing = true; },
    [kDestroyNow]() { s.closing = true; },
  };
  const timer = new CoarseTimer(1000);
  const pool: MemberPool = {
    timer,
    onCallbackError: (err) => { callbackErrors.push(err); },
    [kJoin]: () => undefined,
    [kLeave]: () => undefined,
  };
  const s = new ClientState(owner, pool, resolveClientOptions({}), new SlotReader(Buffer.alloc(slotSize)));
  // A real, unconnected socket: the read flow pauses and resumes it as it would a connected one.
  const sock = new net.Socket();
  s.sock = sock;
  const timers = new ClientTimers(s);
  const flow = new ReadFlow(s);
  return { s, sock, flow, timers, owner, failures, callbackErrors, done: () => { timer.clear(); sock.destroy(); } };
}

/** Bytes arriving as the TLS / 'data' path delivers them. */
export function arrive(h: StateHarness, text: string): void {
  h.flow.onChunk(Buffer.from(text, 'latin1'));
}
