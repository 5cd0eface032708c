/**
 * CALLBACK_URL with mod_rest's placeholders: `{kind}`, `{type}`, `{to}` and `{from}` are filled
 * from each stanza, percent-encoded (an attribute the stanza lacks gives an empty string;
 * mod_rest leaves the placeholder as it is). Config validation keeps them out of the scheme and
 * host, so a stanza's sender cannot choose where the gateway connects; and the filled path is sent
 * as it is, not resolved (a `type` of ".." must not climb out of the configured path).
 */
export interface UrlValues {
  kind: string;
  type: string | undefined;
  to: string | undefined;
  from: string | undefined;
}

const PLACEHOLDER = /\{(kind|type|to|from)\}/g;

export interface CallbackUrl {
  /** Whether the path differs per stanza. */
  templated: boolean;
  /** The path and query of the request for these values. */
  renderPath(values: UrlValues): string;
}

export function callbackUrl(template: string): CallbackUrl {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(template)?.[0] ?? '';
  const rest = template.slice(origin.length).replace(/#.*$/, '');
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  const templated = new RegExp(PLACEHOLDER.source).test(path);
  return {
    templated,
    renderPath: (values) =>
      path.replace(PLACEHOLDER, (_, name: keyof UrlValues) => encodeURIComponent(values[name] ?? '')),
  };
}
