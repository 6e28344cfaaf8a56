import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in constant time whatever their lengths: both are hashed first, so the
 * comparison never short-circuits on a length difference or the first differing byte.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Splits `Authorization: Basic <base64>` into user and password (RFC 7617 §2): the user-id ends at the
 * FIRST colon; the password may contain colons (the original split on every colon and failed).
 */
export function parseBasic(authorization: string | undefined): { user: string; pass: string } | null {
  if (!authorization) return null;
  const sp = authorization.indexOf(' ');
  if (sp === -1 || authorization.slice(0, sp).toLowerCase() !== 'basic') return null;
  const b64 = authorization.slice(sp + 1).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

/** `Authorization: Bearer <token>` → the token (RFC 6750 §2.1), or null. */
export function parseBearer(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const sp = authorization.indexOf(' ');
  if (sp === -1 || authorization.slice(0, sp).toLowerCase() !== 'bearer') return null;
  const token = authorization.slice(sp + 1).trim();
  return token.length > 0 ? token : null;
}
