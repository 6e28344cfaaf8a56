import { Readable } from 'node:stream';

/** Room a `request.body` Readable buffers before it stops asking for more. */
const READABLE_HWM = 64 * 1024;

/** What the Readable needs of its body. */
export interface ReadableSource {
  /** The Readable wants data (its `_read`). */
  readableWants(): void;
}

/** The readable side of a body: `request.body`. */
export class BodyReadable extends Readable {
  private readonly _src: ReadableSource;
  constructor(src: ReadableSource) {
    super({ highWaterMark: READABLE_HWM });
    this._src = src;
  }
  override _read(): void { this._src.readableWants(); }
}
