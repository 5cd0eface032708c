import { Element } from 'ltx';
import { iqResult, type Stanza } from './codec/index.ts';

/**
 * The iqs the gateway answers itself when no webhook is configured (docs/contract.md): XEP-0199
 * ping and XEP-0030 disco#info addressed to the bare component domain.
 */
const NS_PING = 'urn:xmpp:ping';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

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
