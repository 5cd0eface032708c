// `npm run docs`: writes the parts of the docs that are derived from the code, between their
// markers: the README's configuration tables (src/settings.ts), the failure table of
// docs/contract.md (src/errors/failures.ts) and the allowed imports of docs/architecture.md
// (scripts/layers.ts). test/unit/docs.test.ts fails while any of them is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../src/config-help.ts';
import { failureGroups } from '../src/errors/failure-groups.ts';
import { type FailureKind, failures } from '../src/errors/failures.ts';
import { ALLOWED, PUBLISHED } from './layers.ts';

export const generatedParts: { file: string; name: string; render: () => string }[] = [
  { file: 'README.md', name: 'settings', render: settingsMarkdown },
  { file: 'docs/contract.md', name: 'failures', render: failuresMarkdown },
  { file: 'docs/architecture.md', name: 'layers', render: layersMarkdown },
];

const begin = (name: string) => `<!-- ${name}: written by npm run docs -->`;
const end = (name: string) => `<!-- end of ${name} -->`;

/** `text` with the part between its markers rewritten. */
export function withPart(text: string, part: (typeof generatedParts)[number]): string {
  const start = text.indexOf(begin(part.name));
  const stop = text.indexOf(end(part.name));
  if (start === -1 || stop < start)
    throw new Error(`${part.file} lacks the markers ${begin(part.name)} … ${end(part.name)}`);
  return `${text.slice(0, start + begin(part.name).length)}\n\n${part.render()}\n\n${text.slice(stop)}`;
}

function failuresMarkdown(): string {
  const rows = (Object.keys(failures) as FailureKind[]).map((kind) => {
    const failure = failures[kind];
    const error = `${failure.type}/${failure.condition}`;
    return `| \`${kind}\` | ${failure.http} | \`${error}\` | ${failureGroups[kind]} | ${failure.text} |`;
  });
  return ['| kind | HTTP | stanza error | GraphQL group | text |', '|---|---|---|---|---|', ...rows].join('\n');
}

function layersMarkdown(): string {
  const rows = Object.entries(ALLOWED).map(([part, targets]) => {
    const list = targets.includes('*')
      ? 'anything'
      : targets
          .map((target) =>
            PUBLISHED[target] ? `${target} (only ${PUBLISHED[target].map((m) => `\`${m}\``).join(', ')})` : target,
          )
          .join(', ');
    return `| ${part} | ${list || 'nothing in src/'} |`;
  });
  return ['| part | may import |', '|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const part of generatedParts) writeFileSync(part.file, withPart(readFileSync(part.file, 'utf8'), part));
}
