/**
 * `TopicMessage`: one published message as every subscriber sees it — topic, bytes, text or binary, and
 * an optional event name (server-sent events' `event:` field). It is made once per publish and shared by
 * every subscriber; each kind of subscriber encodes it once (a WebSocket frame, an SSE event block) and
 * the encoding is cached on the message, so a thousand WebSockets share one frame and a thousand event
 * streams one block.
 */
import { invalidOption } from '../base/errors';
import { checkTopic } from './topic-name';

/** Turns a message into the bytes one kind of subscriber writes; called at most once per message. */
export interface MessageEncoder {
  encode(message: TopicMessage): Buffer;
}

/** Options of a publish. */
export interface PublishOptions {
  /** Binary (true) or UTF-8 text (false). Default: binary for bytes, text for strings and JSON. */
  binary?: boolean;
  /** The event name server-sent events give it (`event:` field); ignored by WebSockets. No CR, LF or NUL. */
  event?: string;
}

/** What may be published: text, bytes, or a value sent as JSON text. */
export type PublishData = string | Uint8Array | object | number | boolean;

export class TopicMessage {
  readonly topic: string;
  readonly data: Buffer;
  readonly binary: boolean;
  /** The SSE event name, or null (an unnamed event: `message` for EventSource). */
  readonly event: string | null;
  /**
   * An id the transport gave the message, the same in every process (a cross-process bus with a shared
   * history: a Redis stream entry's id); 0 when none (the in-process bus). SSE uses it as the event id.
   */
  readonly id: number;
  // A small inline cache: two encoders (WebSocket frame, SSE block) cover the common case without a Map.
  private _e1: MessageEncoder | null = null;
  private _b1: Buffer | null = null;
  private _e2: MessageEncoder | null = null;
  private _b2: Buffer | null = null;
  private _more: Map<MessageEncoder, Buffer> | null = null;
  private _text: string | null = null;

  /** Builds a message from checked parts (see {@link makeMessage} for user input). */
  constructor(topic: string, data: Buffer, binary: boolean, event: string | null, id = 0) {
    this.topic = topic;
    this.data = data;
    this.binary = binary;
    this.event = event;
    this.id = id;
  }

  /** The data as UTF-8 text (decoded once). */
  get text(): string { return this._text ??= this.data.toString('utf8'); }

  /** The bytes `encoder` makes of this message, encoded on the first call and shared by later ones. */
  encoded(encoder: MessageEncoder): Buffer {
    if (this._e1 === encoder) return this._b1!;
    if (this._e2 === encoder) return this._b2!;
    const hit = this._more?.get(encoder);
    if (hit !== undefined) return hit;
    const b = encoder.encode(this);
    if (this._e1 === null) { this._e1 = encoder; this._b1 = b; } else if (this._e2 === null) { this._e2 = encoder; this._b2 = b; } else (this._more ??= new Map()).set(encoder, b);
    return b;
  }
}

/** Checks an event name: no CR, LF or NUL (they would end the field, HTML §9.2.6), at most 256 characters. */
export function checkEventName(name: string, event: unknown): string {
  if (typeof event !== 'string' || event.length === 0 || event.length > 256 || /[\r\n\0]/.test(event)) {
    throw invalidOption(name, 'a non-empty string of at most 256 characters without CR, LF or NUL', event);
  }
  return event;
}

/** A message from a user's publish: checks the topic and options, encodes strings and JSON once. */
export function makeMessage(topic: string, data: PublishData, options: PublishOptions | undefined): TopicMessage {
  checkTopic('publish topic', topic);
  if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidOption('publish options', 'an object { binary?, event? }', options);
  const event = options?.event === undefined ? null : checkEventName('publish options.event', options.event);
  if (options?.binary !== undefined && typeof options.binary !== 'boolean') throw invalidOption('publish options.binary', 'true or false', options.binary);
  let bytes: Buffer;
  let binary: boolean;
  if (typeof data === 'string') { bytes = Buffer.from(data, 'utf8'); binary = false; }
  else if (data instanceof Uint8Array) { bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength); binary = true; }
  else if (data !== null && (typeof data === 'object' || typeof data === 'number' || typeof data === 'boolean')) { bytes = Buffer.from(JSON.stringify(data), 'utf8'); binary = false; }
  else throw invalidOption('publish data', 'a string, a Buffer / Uint8Array, or a value to send as JSON', data);
  return new TopicMessage(topic, bytes, options?.binary ?? binary, event);
}
