// Help text, generated from the same specs the parser uses so the two never disagree.
import type { Command, OptionSpec } from './command.ts';
import { columns } from './table.ts';

export const PROGRAM = 'refseg';

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}`;
  return spec.type === 'string' ? `${flag} <${spec.valueName ?? 'value'}>` : flag;
}

export function usageLine(command: Command): string {
  const args = (command.positionals ?? []).map((p) => {
    const core = `<${p.name}>${p.variadic ? '...' : ''}`;
    return p.required ? core : `[${core}]`;
  });
  return `${PROGRAM} ${command.name}${args.length ? ` ${args.join(' ')}` : ''} [options]`;
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.description ?? command.summary];
  if (command.positionals?.length) {
    lines.push('', 'Arguments:', ...columns(command.positionals.map((p) => [`<${p.name}>`, p.description]), 2));
  }
  const options: [string, OptionSpec][] = [
    ...Object.entries(command.options ?? {}),
    ['help', { type: 'boolean', short: 'h', description: 'Show this help' }],
  ];
  lines.push(
    '',
    'Options:',
    ...columns(
      options.map(([name, spec]) => [
        optionLabel(name, spec),
        spec.default === undefined || spec.default === false ? spec.description : `${spec.description} (default: ${String(spec.default)})`,
      ]),
      2,
    ),
  );
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** The command list; `prefix` narrows it to a group (`models`). */
export function programHelp(commands: readonly Command[], prefix?: string): string {
  const shown = commands.filter((c) => !prefix || c.name.startsWith(`${prefix} `)).sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    prefix
      ? `Usage: ${PROGRAM} ${prefix} <command> [options]`
      : `${PROGRAM}: find and segment every instance of the classes shown in a few reference images (SAM2 + DINOv2, no training).\n\nUsage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...columns(shown.map((c) => [c.name, c.summary]), 2),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's arguments and options.`,
    'Exit codes: 0 success, 1 failure, 2 usage error.',
  ];
  return `${lines.join('\n')}\n`;
}
