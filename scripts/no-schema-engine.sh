#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded on these machines
# (docs/dependencies.md). `prisma generate` only checks that this file exists and never runs it.
# Any command that would really need the engine (migrate, db push, introspect) runs this and
# fails loudly: exiting 0 would make `prisma migrate deploy` report success having applied nothing.
echo "stanza-gateway: Prisma's schema engine is not installed here." >&2
echo "  Migrations are applied at start-up by src/db/migrator.ts; see docs/webhooks.md (Database)." >&2
exit 1
