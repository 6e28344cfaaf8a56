/**
 * A WebSocket as a topic subscriber (core's Topics, docs/pubsub.md). Each message's frame is encoded once
 * (frame-encoder.ts) and shared by every socket. While the socket has one pattern, Topics hands it the
 * frames of a whole event-loop turn at once (`deliverBatch`): one buffer, joined once and shared by every
 * socket of the pattern, written in one write. A socket with permessage-deflate compresses for itself, so
 * it takes messages one by one. Sends never wait: a message the bounded queue cannot take is counted as
 * dropped and the socket's policy applies (skip it, or close with 1008).
 */
import type { MessageEncoder, TopicMessage, TopicSubscriber } from '@microwebsrv/core';
import { FRAME_ENCODER } from './frame-encoder';
import type { SocketSender } from './socket-sender';

/** What the subscriber needs from its socket. */
export interface TopicSocket {
  /** The socket may still send data (not closed, no Close sent). */
  live(): boolean;
  /** A message its queue could not take: count it, apply the slow policy. */
  refused(): void;
}

export class WsTopicSubscriber implements TopicSubscriber {
  /** FRAME_ENCODER, or undefined with permessage-deflate (no batches: each message is compressed). */
  readonly batchEncoder: MessageEncoder | undefined;
  private readonly _out: SocketSender;
  private readonly _socket: TopicSocket;

  constructor(out: SocketSender, socket: TopicSocket) {
    this._out = out;
    this._socket = socket;
    this.batchEncoder = out.deflate === null ? FRAME_ENCODER : undefined;
  }

  /** One message: its shared frame, or the socket's policy when the queue cannot take it. */
  deliver(m: TopicMessage): void {
    if (!this._socket.live()) return;
    if (this._out.sendShared(m.encoded(FRAME_ENCODER), m.data, m.binary)) return;
    this._socket.refused();
  }

  /**
   * A turn's messages: the joined frames in one write when the queue takes them whole; otherwise message
   * by message under the same bound as any send (those that fit go, the others are refused one by one).
   */
  deliverBatch(joined: Buffer | null, messages: readonly TopicMessage[], from: number, to: number): void {
    if (joined !== null && this._out.sendBatch(joined)) return;
    if (!this._socket.live()) return;
    for (let i = from; i < to; i++) this.deliver(messages[i]!);
  }
}
