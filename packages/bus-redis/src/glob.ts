/**
 * Topic patterns (MQTT 3.1.1 §4.7: `+` one level, `#` the rest) as Redis PSUBSCRIBE globs. Redis' glob
 * (`*`, `?`, `[…]`, `\` escapes; util.c stringmatchlen) cannot say "one level", so the glob is a superset:
 * `+` → `*`, a trailing `/#` → `*` (so `a/#` → `a*` matches `a` as MQTT wants, and `ab` too). The bus then
 * hands each message to its local subscribers through the in-process topic tree, which applies the exact
 * MQTT rules. Everything else of the prefix and of the pattern is matched literally: glob specials in a
 * topic name are escaped, so a topic `a*b` does not subscribe to `a/x/b`.
 */

/** True for a pattern with a wildcard level (PSUBSCRIBE); a plain topic is a channel (SUBSCRIBE). */
export function isPattern(pattern: string): boolean {
  return /[+#]/.test(pattern);
}

/** Escapes the glob specials of Redis' stringmatch: `\`, `*`, `?`, `[`, `]`. */
export function escapeGlob(s: string): string {
  return s.replace(/[\\*?[\]]/g, '\\$&');
}

/** The PSUBSCRIBE glob of a checked pattern under `prefix`: a superset of the topics it matches. */
export function patternToGlob(prefix: string, pattern: string): string {
  const levels = pattern.split('/');
  let out = escapeGlob(prefix);
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l === '#') return out + '*'; // `#` is last: `a/#` → `a*` (matches `a` itself and `a/...`)
    if (i > 0) out += '/';
    out += l === '+' ? '*' : escapeGlob(l);
  }
  return out;
}
