/**
 * uhttpd's fixed upload endpoint names its file in `Content-Disposition: attachment; filename="/path"`
 * (uhttpd's documentation spells it `attachement`: both are accepted). The name may come as a quoted
 * string (RFC 9110 §5.6.4, backslash escapes), a token, or `filename*=UTF-8''…` (RFC 8187, preferred
 * when both are there, RFC 6266 §4.3). Returned percent-encoded segment by segment, so that core's path
 * checks see it as they see a URL: '..', separators hidden in names, NUL and dotfiles are refused there.
 */

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The `filename` parameter of `field`, or null when the field is not an attachment with a file name. */
export function attachmentFilename(field: string | undefined): string | null {
  if (field === undefined) return null;
  const semi = field.indexOf(';');
  const type = (semi === -1 ? field : field.slice(0, semi)).trim().toLowerCase();
  if (type !== 'attachment' && type !== 'attachement') return null;
  let plain: string | null = null;
  let ext: string | null = null;
  let i = semi;
  while (i !== -1 && i < field.length) {
    const eq = field.indexOf('=', i + 1);
    if (eq === -1) break;
    const name = field.slice(i + 1, eq).trim().toLowerCase();
    let j = eq + 1;
    while (field[j] === ' ' || field[j] === '\t') j++;
    let value: string;
    if (field[j] === '"') {
      value = '';
      j++;
      for (; j < field.length && field[j] !== '"'; j++) value += field[j] === '\\' && j + 1 < field.length ? field[++j] : field[j];
      if (j >= field.length) return null; // unterminated quoted string
      j++;
    } else {
      const end = field.indexOf(';', j);
      value = (end === -1 ? field.slice(j) : field.slice(j, end)).trim();
      j = end === -1 ? field.length : end;
      if (name !== 'filename*' && !TOKEN.test(value)) return null;
    }
    if (name === 'filename') plain = value;
    else if (name === 'filename*') {
      const m = /^utf-8'[^']*'(.*)$/i.exec(value);
      if (m === null) return null;
      try { ext = decodeURIComponent(m[1]); } catch { return null; }
    }
    i = field.indexOf(';', j);
  }
  return ext ?? plain;
}

/** A file name given as a path ('/a/b.txt' or 'a/b.txt') as a percent-encoded '/'-rooted URL path. */
export function encodedPathOf(name: string): string {
  return '/' + name.split('/').filter((s) => s.length > 0).map((s) => (s === '.' || s === '..' ? s : encodeURIComponent(s))).join('/');
}
