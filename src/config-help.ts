import { settingNames, type SettingName } from './config.ts';
import { GROUPS, type Setting, settings } from './settings.ts';

/** `--help` and the README's configuration table, both written from the settings table. */

const WIDTH = 100;
const NBSP = '\u00a0';

/** What a setting is when nobody sets it: `required`, `optional`, or its default. */
function unsetText(setting: Setting, code: (text: string) => string): string {
  if ('required' in setting) return 'required';
  if ('optional' in setting) return 'optional';
  return setting.default === '' ? 'none' : code(setting.default);
}

function byGroup(): { group: (typeof GROUPS)[number]; names: SettingName[] }[] {
  return GROUPS.map((group) => ({ group, names: settingNames.filter((name) => settings[name].group === group) }));
}

/** Words laid into lines of at most `width` characters, each but the first indented by `indent`. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function helpText(): string {
  const column = Math.max(...settingNames.map((name) => name.length)) + 4;
  const option = (name: string, text: string) => `  ${name.padEnd(column - 2)}${wrap(text, column, WIDTH)}`;
  const sections = byGroup().flatMap(({ group, names }) => [
    '',
    `${group}:`,
    ...names.map((name) => {
      const setting: Setting = settings[name];
      const plain = setting.help.replaceAll('`', '');
      // The bracket never breaks across lines: a default cut in two reads as two values.
      const tail = `[${unsetText(setting, (text) => `default: ${text}`)}]`.replaceAll(' ', NBSP);
      return option(name, `${plain} ${tail}`).replaceAll(NBSP, ' ');
    }),
  ]);
  return [
    'Usage: npm start [-- --config FILE]',
    '',
    'Stanza Gateway: HTTP (/rest), GraphQL and webhooks for XMPP, as an XEP-0114 component.',
    '',
    'Options:',
    option(
      '--config FILE',
      'read settings from a JSON or YAML file (the same names as below; the environment overrides the file)',
    ),
    option('--help', 'show this help'),
    '',
    'Settings (environment variables, or keys of the --config file):',
    ...sections,
    '',
  ].join('\n');
}

/** The README's configuration tables (between its `settings` markers; `npm run docs`). */
export function settingsMarkdown(): string {
  return byGroup()
    .map(({ group, names }) =>
      [
        `**${group}**`,
        '',
        '| name | meaning | default |',
        '|---|---|---|',
        ...names.map((name) => {
          const setting: Setting = settings[name];
          const meaning = setting.help.replaceAll('|', '\\|');
          return `| \`${name}\` | ${meaning} | ${unsetText(setting, (text) => `\`${text}\``)} |`;
        }),
      ].join('\n'),
    )
    .join('\n\n');
}
