/** True for a promise or any object with a `then` method (what an async handler returns). */
export function isThenableLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}
