// The GraphQL schema: importing each type family registers it with the builder.
import './jid.ts';
import './errors.ts';
import './xml-element.ts';
import './stanza.ts';
import './message.ts';
import './presence.ts';
import './iq.ts';
import './bounced.ts';
import './send-iq.ts';
import './send-stanza.ts';
import './ping.ts';
import './disco.ts';
import './version.ts';
import './last-activity.ts';
import './archive.ts';
import './subscriptions.ts';
import './status.ts';
import './webhook-status.ts';
import './delivery.ts';
import './deliveries.ts';
import './inbound-stanzas.ts';
import { builder } from './builder.ts';

export type { GraphqlContext } from './builder.ts';
export const schema = builder.toSchema();
