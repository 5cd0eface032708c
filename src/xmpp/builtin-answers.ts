import { Element } from 'ltx';
import { iqResult, type Stanza } from './codec/index.ts';
import { NS_DISCO_INFO, NS_PING } from './codec/namespaces.ts';
import type { IqAnswerer } from './iq-callee.ts';

/**
 * The iqs the gateway answers itself when no webhook is configured (docs/contract.md): XEP-0199
 * ping and XEP-0030 disco#info addressed to the bare component domain.
 */
export function builtinAnswer(request: Stanza, domain: string): Stanza | undefined {
  if (request.kind !== 'iq' || request.type !== 'get' || request.to.toString() !== domain) return undefined;
  const payload = request.payloads[0];
  if (!payload) return undefined;
  if (payload.is('ping', NS_PING)) return iqResult(request);
  if (payload.is('query', NS_DISCO_INFO) && payload.attrs.node === undefined) {
    const query = new Element('query', { xmlns: NS_DISCO_INFO });
    query.cnode(new Element('identity', { category: 'component', type: 'generic', name: 'Stanza Gateway' }));
    query.cnode(new Element('feature', { var: NS_DISCO_INFO }));
    query.cnode(new Element('feature', { var: NS_PING }));
    return iqResult(request, query);
  }
  return undefined;
}

/** The built-in answers as an answerer: it takes on only the iqs it has an answer for. */
export function builtinAnswerer(domain: string, sendReply: (reply: Stanza) => void): IqAnswerer {
  return (request) => {
    const answer = builtinAnswer(request, domain);
    if (answer) sendReply(answer);
    return answer !== undefined;
  };
}
