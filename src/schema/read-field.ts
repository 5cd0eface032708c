import type { InputFieldMap, InputShapeFromFields, ObjectRef } from '@pothos/core';
import { builder, type GraphqlContext } from './builder.ts';
import { iqFailures } from './iq.ts';

/**
 * An iq that only reads (ping, disco, version, last activity, an archive page) is a Query field,
 * which clients such as Apollo, urql and Relay cache and refetch. The reads that were mutations
 * before stay there too, deprecated, for the clients written against them: same arguments, same
 * members, under their old union name (`PingResult`); the Query's union is `PingQueryResult`.
 */
export interface ReadDefinition<Shape, Args extends InputFieldMap> {
  /** The field's name, on Query (and on Mutation, deprecated, with `wasMutation`). */
  name: string;
  /** The stem of its result unions' names: `${union}QueryResult`, `${union}Result`. */
  union: string;
  type: ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<GraphqlTypes>, Shape>;
  description: string;
  args: Args;
  read: (args: InputShapeFromFields<Args>, ctx: GraphqlContext) => Promise<Shape>;
  /** Also a deprecated Mutation field: the reads that were mutations before. */
  wasMutation?: boolean;
}

type GraphqlTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

const deprecationReason = 'A read: use the Query field of the same name, which clients can cache and refetch.';

export function readField<Shape, Args extends InputFieldMap>(definition: ReadDefinition<Shape, Args>): void {
  const { name, union, type, description, args, read, wasMutation = false } = definition;
  const options = (unionName: string) => ({
    type,
    description,
    args,
    errors: { types: iqFailures, directResult: true as const, union: { name: unionName } },
    // Pothos types a resolver's result through a conditional type (list or not) that TypeScript
    // cannot settle for a generic Shape; `type` above already ties the result to Shape.
    resolve: (_root: unknown, values: InputShapeFromFields<Args>, ctx: GraphqlContext) => read(values, ctx) as never,
  });
  builder.queryField(name, (t) => t.field(options(`${union}QueryResult`)));
  if (wasMutation) builder.mutationField(name, (t) => t.field({ ...options(`${union}Result`), deprecationReason }));
}
