/** Checks of header names and values written by the application (the parser has byte tables for input). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible characters, spaces and tabs; never CR, LF or NUL (response splitting). */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** A token (RFC 9110 §5.6.2): header names, auth schemes, protocol names. */
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** A field value without CR, LF, NUL or other controls (RFC 9110 §5.5). */
export function isFieldValue(s: string): boolean {
  return !BAD_VALUE.test(s);
}
