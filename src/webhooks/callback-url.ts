/**
 * CALLBACK_URL with mod_rest's placeholders: `{kind}`, `{type}`, `{to}` and `{from}` are filled
 * from each stanza, percent-encoded (an attribute the stanza lacks gives an empty string;
 * mod_rest leaves the placeholder as it is). Config validation keeps them out of the scheme and
 * host, so a stanza's sender cannot choose where the gateway connects.
 */
export interface UrlValues {
  kind: string;
  type: string | undefined;
  to: string | undefined;
  from: string | undefined;
}

const PLACEHOLDER = /\{(kind|type|to|from)\}/g;

export interface CallbackUrl {
  /** Whether the URL differs per stanza. */
  templated: boolean;
  render(values: UrlValues): string;
}

export function callbackUrl(template: string): CallbackUrl {
  const templated = new RegExp(PLACEHOLDER.source).test(template);
  return {
    templated,
    render: (values) =>
      templated
        ? template.replace(PLACEHOLDER, (_, name: keyof UrlValues) => encodeURIComponent(values[name] ?? ''))
        : template,
  };
}
