import { callbackStatusError, isRetryableStatus } from '../errors/callback-statuses.ts';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import { parseMediaType } from '../http/media-type.ts';
import type { AttemptErrorKind, DeliveryOutcome } from '../db/records.ts';
import {
  errorReply,
  iqResult,
  type OutboundRules,
  parseXmlElement,
  stanzaFromElement,
  type Stanza,
} from '../xmpp/codec/index.ts';
import type { CallbackExchange } from './callback-client.ts';
import { parseRetryAfter } from './retry-schedule.ts';

/**
 * CONTRACT.md's webhook table: what one callback exchange means for the inbound stanza, and
 * what its sender gets. Pure: the dispatcher decides about retries and sends the reply.
 */
export interface Verdict {
  status: 'delivered' | 'failed';
  outcome: DeliveryOutcome;
  /** The stanza for the sender, if the rules give one (sent once, when the delivery ends). */
  reply: Stanza | undefined;
  /** Connection failures, timeouts, 429 and 5xx: a message or presence may be tried again. */
  retryable: boolean;
  retryAfterMs?: number;
  /** What the attempt's log row says went wrong. */
  attemptError?: { kind: AttemptErrorKind; text: string };
}

export type FinishedExchange = Exclude<CallbackExchange, { kind: 'aborted' }>;

const XMPP_XML = 'application/xmpp+xml';

/** The codec's rules for replies: the gateway's domain and XMPP_MAX_STANZA_BYTES. */
export type ReplyRules = Omit<OutboundRules, 'allowIqReplies'>;

export function applyReplyRules(
  request: Stanza,
  exchange: FinishedExchange,
  rules: ReplyRules,
  maxBodyBytes: number,
): Verdict {
  const verdict = judge(request, exchange, rules, maxBodyBytes);
  // Never answer a result or an error, whatever the callback said: no error loops.
  return request.isReply ? { ...verdict, reply: undefined } : verdict;
}

function judge(request: Stanza, exchange: FinishedExchange, rules: ReplyRules, maxBodyBytes: number): Verdict {
  if (exchange.kind !== 'response') {
    const failure = new GatewayError(exchange.kind === 'timeout' ? 'callback-timeout' : 'callback-unreachable');
    return {
      status: 'failed',
      outcome: 'unreachable',
      reply: errorReply(request, failure.toStanzaError()),
      retryable: true,
      attemptError: { kind: exchange.kind, text: exchange.text },
    };
  }
  const { status } = exchange;
  if (status >= 200 && status <= 299) return success(request, exchange, rules, maxBodyBytes);
  if (status >= 400 && status <= 599) {
    const error = callbackStatusError(status);
    return {
      status: 'failed',
      outcome: 'http-error',
      reply: errorReply(request, error),
      retryable: isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(exchange.headers['retry-after']),
      attemptError: { kind: 'http', text: error.text ?? String(status) },
    };
  }
  return invalid(request, `unexpected status ${status}`);
}

type Response = Extract<FinishedExchange, { kind: 'response' }>;

function success(request: Stanza, response: Response, rules: ReplyRules, maxBodyBytes: number): Verdict {
  const blank = response.body !== undefined && response.body.toString('utf8').trim() === '';
  if (response.status === 202 || response.status === 204 || blank) {
    return {
      status: 'delivered',
      outcome: 'accepted',
      reply: request.isIqRequest ? iqResult(request) : undefined,
      retryable: false,
    };
  }
  if (response.body === undefined) return invalid(request, `body larger than ${maxBodyBytes} bytes`);
  if (parseMediaType(response.headers['content-type'])?.essence !== XMPP_XML) {
    return invalid(request, `Content-Type is not ${XMPP_XML}`);
  }
  try {
    const element = parseXmlElement(response.body, { maxBytes: maxBodyBytes });
    if (element.name !== request.kind) return invalid(request, `a <${element.name}> answering a <${request.kind}>`);
    if (request.kind === 'iq' && element.attrs.type !== 'result' && element.attrs.type !== 'error') {
      return invalid(request, "an iq reply must be of type 'result' or 'error'");
    }
    // The reply goes back where the stanza came from, from where it was sent, whatever the
    // callback wrote. An iq reply keeps the request's id: the sender matches replies by id
    // (RFC 6120 §8.2.3). Other stanzas keep theirs, or the codec gives them a new one.
    element.attrs.to = request.from.toString();
    element.attrs.from = request.to.toString();
    if (request.kind === 'iq') element.attrs.id = request.id;
    // The wire check runs here too: a reply the XMPP server would close the stream over (an
    // XML 1.1 body, a control character, too large once serialised) is an invalid response.
    const reply = stanzaFromElement(element, { ...rules, allowIqReplies: true });
    return { status: 'delivered', outcome: 'replied', reply, retryable: false };
  } catch (error) {
    return invalid(request, isGatewayError(error) ? error.text : String(error));
  }
}

function invalid(request: Stanza, why: string): Verdict {
  return {
    status: 'failed',
    outcome: 'invalid-response',
    // mod_rest sends an empty stanza to messages and presences here; we send nothing (deviation).
    reply: request.isIqRequest
      ? errorReply(request, new GatewayError('invalid-callback-response').toStanzaError())
      : undefined,
    retryable: false,
    attemptError: { kind: 'invalid-response', text: `invalid callback response: ${why}` },
  };
}
