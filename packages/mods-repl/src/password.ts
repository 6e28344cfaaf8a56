/**
 * The REPL's password: hashed with scrypt (RFC 7914) when the module loads, so that the plain text is
 * not kept; a candidate is hashed with the same salt and parameters off the main thread (libuv's pool)
 * and compared with `timingSafeEqual`, whose time does not depend on where the bytes differ.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N = 2^14, r = 8, p = 1 (RFC 7914 §2's interactive-login figures; ~16 MiB, tens of ms). */
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 32;
/** A longer candidate is wrong without hashing it: hashing megabytes on request is free work for an attacker. */
export const MAX_PASSWORD_BYTES = 1024;

export class PasswordCheck {
  private readonly _salt = randomBytes(16);
  private readonly _hash: Buffer;

  constructor(password: string) {
    this._hash = scryptSync(password.normalize('NFC'), this._salt, KEY_LEN, PARAMS);
  }

  /** Resolves true when `candidate` is the password. Never rejects. */
  verify(candidate: string): Promise<boolean> {
    // Too long: hash a fixed string anyway so the answer takes the usual time, and refuse.
    const tooLong = Buffer.byteLength(candidate, 'utf8') > MAX_PASSWORD_BYTES;
    const input = tooLong ? '\0' : candidate.normalize('NFC');
    return new Promise((resolve) => {
      scrypt(input, this._salt, KEY_LEN, PARAMS, (err, key) => {
        resolve(err === null && !tooLong && timingSafeEqual(key, this._hash));
      });
    });
  }
}
