import type { Element } from 'ltx';

/**
 * Unique texts to tell one test's stanzas from another's on a shared connection, and the
 * matcher that finds a message by its body.
 */
let counter = 0;

export function uniqueText(): string {
  counter += 1;
  return `marker-${counter}-${Date.now()}`;
}

export function messageWithBody(text: string): (stanza: Element) => boolean {
  return (stanza) => stanza.name === 'message' && stanza.getChildText('body') === text;
}
