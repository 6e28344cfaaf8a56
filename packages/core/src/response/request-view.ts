/** What a response reads of its request (HttpRequest implements it; tests may give a literal). */
export interface RequestView {
  readonly method: string;
  /** The path, decoded (compared with notFoundURL: no redirect loop). */
  readonly path: string;
  readonly target: string;
  /** '1.0' or '1.1': HTTP/1.0 gets no chunked coding and an explicit keep-alive. */
  readonly httpVer: string;
  getHeader(name: string): string | undefined;
}
