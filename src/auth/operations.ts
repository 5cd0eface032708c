/**
 * What a scoped token may be allowed to do (its `can` list). Each API field and /rest route
 * needs one of these: a message or presence is `send`, an iq (a request, a read such as ping,
 * or the answer to an inbound iq) is `iq`, the `stanzas` subscription is `subscribe`, the
 * delivery log's queries and its subscription are `deliveries`, `redeliver` is `redeliver`,
 * the `status` query is `status`.
 */
export const operations = ['send', 'iq', 'subscribe', 'deliveries', 'redeliver', 'status'] as const;

export type Operation = (typeof operations)[number];

export function isOperation(value: string): value is Operation {
  return (operations as readonly string[]).includes(value);
}
