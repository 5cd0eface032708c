/**
 * The XML namespaces the gateway names. One module owns each protocol constant: the codec, the
 * rest of the core and the faces import them from here instead of spelling them again.
 */
export const NS_CLIENT = 'jabber:client';
export const NS_DATA_FORMS = 'jabber:x:data';
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_COMMANDS = 'http://jabber.org/protocol/commands';
export const NS_XHTML_IM = 'http://jabber.org/protocol/xhtml-im';
export const NS_XHTML = 'http://www.w3.org/1999/xhtml';
export const NS_OOB = 'jabber:x:oob';
export const NS_JSON_MESSAGE = 'urn:xmpp:json-msg:0';
export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_DELAY = 'urn:xmpp:delay';
export const NS_RECEIPTS = 'urn:xmpp:receipts';
export const NS_PING = 'urn:xmpp:ping';
