/**
 * Precompressed siblings: `file.br` / `file.gz` sent in place of `file` to clients whose Accept-Encoding
 * (RFC 9110 §12.5.3) accepts that content coding.
 */

/** A content coding with a precompressed sibling suffix, in order of preference (smaller first). */
export interface SiblingCoding { coding: 'br' | 'gzip'; suffix: '.br' | '.gz' }

export const SIBLING_CODINGS: readonly SiblingCoding[] = Object.freeze([
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
]);

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 §12.4.2). */
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The q-value of each coding the client named (lower-case; 'x-gzip' counts as 'gzip', §8.4.1.3), '*'
 * included. A member with a malformed q-value is skipped. No field, or an empty one: an empty map (only
 * identity is sent — §12.5.3 would allow any coding without the field, but clients that send none, such
 * as curl or wget, expect the file as it is).
 */
export function parseAcceptEncoding(value: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!value) return out;
  for (const member of value.split(',')) {
    const params = member.split(';');
    let coding = params[0].trim().toLowerCase();
    if (coding.length === 0) continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let q = 1;
    let valid = true;
    for (let i = 1; i < params.length; i++) {
      const p = params[i].trim();
      const eq = p.indexOf('=');
      if (eq === -1 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const v = p.slice(eq + 1).trim();
      if (!QVALUE.test(v)) { valid = false; break; }
      q = Number(v);
    }
    // A coding named twice keeps its lowest weight: 'q=0' anywhere is a refusal.
    if (valid) out.set(coding, Math.min(q, out.get(coding) ?? 1));
  }
  return out;
}

/** How much the client wants `coding` (0: not acceptable); '*' covers codings not named (§12.5.3). */
export function codingWeight(accept: Map<string, number>, coding: string): number {
  return accept.get(coding) ?? accept.get('*') ?? 0;
}

/**
 * The sibling to send among `available` (those that exist and are fresh): the highest q-value above 0,
 * ties going to the earlier (smaller) coding; null: send the file itself.
 */
export function chooseSibling<T extends SiblingCoding>(accept: Map<string, number>, available: readonly T[]): T | null {
  let best: T | null = null;
  let bestQ = 0;
  for (const s of available) {
    const q = codingWeight(accept, s.coding);
    if (q > bestQ) { best = s; bestQ = q; }
  }
  return best;
}
