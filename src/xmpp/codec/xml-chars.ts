/**
 * The characters and names the gateway lets through to the XMPP server. Prosody (expat) and
 * ejabberd (fast_xml) parse the component stream as XML 1.0 and close the whole stream — every
 * caller's iqs and queued sends with it — on a character or name they refuse.
 */

/**
 * XML 1.0 §2.2 `Char`: TAB, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. Everything
 * else — the other C0 controls, U+FFFE, U+FFFF and unpaired surrogates (which UTF-8 cannot
 * encode) — is refused, even written as a character reference (`&#x1;` is XML 1.1 only).
 */
const NOT_XML10_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The index of the first character XML 1.0 does not allow, or -1. */
export function invalidCharAt(text: string): number {
  const match = NOT_XML10_CHAR.exec(text);
  return match ? match.index : -1;
}

/** `U+0001`, for error texts (the character itself may not print). */
export function describeCharAt(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Element and attribute names are limited to ASCII. XML 1.0 (5th edition) allows far more, but
 * expat follows the 4th edition's name classes and closes the whole component stream on a name
 * it rejects (found by the fuzz test: U+FFFD in an attribute name). XMPP's own names are all ASCII.
 */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name);
}
