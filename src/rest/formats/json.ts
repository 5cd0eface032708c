import type { GatewayError } from '../../errors/gateway-error.ts';
import type { RestFormat } from './format.ts';

export const json: RestFormat = {
  mediaType: 'application/json',
  encodeError: (error: GatewayError) =>
    JSON.stringify({
      type: 'error',
      code: error.http,
      error: { type: error.type, condition: error.condition, text: error.text },
    }),
};
