export { type BodyFormat, type RequestFormat, bodyFormats, formatOfContentType, mediaTypes } from './media-types.ts';
export { namedFormat, replyFormat } from './negotiation.ts';
export { chatMessage, type DecodedBody, decodeBody, elementFromBody, encodeStanzas } from './stanza-bodies.ts';
export { decodeForm, encodeForm, flatFields } from './form-encoding.ts';
