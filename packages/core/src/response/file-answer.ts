import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { contentDisposition } from './head-builder';
import type { ResponseSink } from './response-sink';
import { refusedTypeMessage } from './unknown-type';

/** What `returnFile` needs of its response: its own public answers (HttpResponse is one). */
export interface FileResponse {
  contentType: string | null;
  setHeader(name: string, value: string | number): void;
  returnNotFound(): void;
  returnForbidden(): void;
  returnStream(code: number, stream: Readable, contentLength?: number): void;
}

/**
 * `returnFile`'s answer once the file was looked at (`st`: its stat, null when it failed): 404 for no
 * file, 403 for a type the server refuses (`staticUnknownType: 'refuse'`), else the file streamed with its
 * length and Last-Modified, as a download named `attachmentName` when given.
 */
export function answerFile(resp: FileResponse, sink: ResponseSink, path: string, attachmentName: string | undefined, st: fs.Stats | null): void {
  if (st === null || !st.isFile()) { resp.returnNotFound(); return; }
  const type = sink.defaults.mimeTypeOf(path);
  if (type === null) {
    sink.log('DEBUG', refusedTypeMessage(`returnFile ${path}`, path));
    resp.returnForbidden();
    return;
  }
  resp.contentType ??= type;
  if (attachmentName !== undefined) resp.setHeader('Content-Disposition', contentDisposition(attachmentName));
  resp.setHeader('Last-Modified', st.mtime.toUTCString());
  const stream = fs.createReadStream(path, { highWaterMark: 64 * 1024 });
  resp.returnStream(200, stream, st.size);
}
