// `npm run settings:readme`: writes the README's configuration tables from the settings table
// (src/settings.ts), between the `settings:begin` and `settings:end` markers.
// test/unit/readme.test.ts fails while they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../src/config-help.ts';

export const BEGIN = '<!-- settings:begin (npm run settings:readme writes this part) -->';
export const END = '<!-- settings:end -->';

export function withSettings(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md lacks the markers ${BEGIN} … ${END}`);
  return `${readme.slice(0, start + BEGIN.length)}\n\n${settingsMarkdown()}\n\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('README.md', withSettings(readFileSync('README.md', 'utf8')));
}
