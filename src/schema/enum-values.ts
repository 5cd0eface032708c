/**
 * GraphQL enum values for the protocol's lower-case strings: `groupchat` → GROUPCHAT,
 * `iq-timeout` → IQ_TIMEOUT. Resolvers and inputs keep working with the protocol strings.
 */
export function enumName(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function enumValues<T extends string>(
  values: readonly T[],
  describe?: (value: T) => string,
): Record<string, { value: T; description?: string }> {
  return Object.fromEntries(
    values.map((value) => [enumName(value), describe ? { value, description: describe(value) } : { value }]),
  );
}
