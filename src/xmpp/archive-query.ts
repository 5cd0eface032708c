import { randomUUID } from 'node:crypto';
import type { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { type OutboundRules, type Stanza, stanzaFromElement } from './codec/index.ts';
import { cloneElement } from './codec/json-mapping/xml-tree.ts';
import { NS_MAM } from './codec/namespaces.ts';
import type { XmppCore } from './core.ts';

/**
 * An iq that queries a message archive (XEP-0313) is answered by result messages first, then
 * the iq result: mod_rest collects them all into one reply. Results are matched by the query's
 * `queryid` (added when the request has none) and by coming from the archive asked, and are
 * kept off the inbound bus (webhooks and subscribers never see them), as mod_rest does.
 */
export function archiveQueryOf(iq: Stanza): Element | undefined {
  return iq.kind === 'iq' && iq.type === 'set' ? iq.element.getChild('query', NS_MAM) : undefined;
}

/** The same iq with a queryid on its archive query, so that its results can be told apart. */
export function withQueryId(iq: Stanza, rules: OutboundRules): Stanza {
  const query = archiveQueryOf(iq);
  if (!query || query.attrs.queryid !== undefined) return iq;
  const element = cloneElement(iq.element);
  element.getChild('query', NS_MAM)!.attrs.queryid = randomUUID();
  return stanzaFromElement(element, rules);
}

/**
 * Sends an archive query; resolves with its results and the final iq, or with the iq error
 * alone. More than `maxResults` results fail with `archive-too-large` (nothing is held past it).
 */
export async function queryArchive(
  core: XmppCore,
  iq: Stanza,
  timeoutMs: number,
  maxResults: number,
): Promise<Stanza[]> {
  const queryid = archiveQueryOf(iq)?.attrs.queryid;
  const archive = iq.to.bare();
  const results: Stanza[] = [];
  let overflow = false;
  const stop = core.intercept((stanza) => {
    if (stanza.kind !== 'message' || !stanza.from.bare().equals(archive)) return false;
    if (stanza.element.getChild('result', NS_MAM)?.attrs.queryid !== queryid) return false;
    if (results.length < maxResults) results.push(stanza);
    else overflow = true;
    return true;
  });
  let reply: Stanza;
  try {
    reply = await core.request(iq, timeoutMs);
  } finally {
    stop();
  }
  if (reply.type === 'error') return [reply];
  if (overflow) throw new GatewayError('archive-too-large', { text: archiveTooLargeText(maxResults) });
  return [...results, reply];
}

function archiveTooLargeText(maxResults: number): string {
  return `The archive answered with more than ${maxResults} results (REST_MAX_ARCHIVE_RESULTS); ask for fewer with max`;
}
