// `refseg <command> [options]`: find the command, parse its arguments with node:util
// parseArgs, run it, and turn the outcome into one line on stderr and an exit code: 0 ok,
// 1 failure, 2 bad input from the command line (usage, unknown option or preset, a file that
// cannot be read or is not what the option needs), 130 stopped by Ctrl-C.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { RefsegError } from '../../shared/errors.ts';
import { UsageError } from './command.ts';
import type { Command, CommandContext, Output } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { PROGRAM, commandHelp, programHelp } from './help.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

export interface CliIO {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

/** The command named by the leading words of `argv` (longest match), and the rest. */
export function findCommand(argv: readonly string[], commands: readonly Command[]): { command?: Command; rest: string[]; words: string[] } {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(n), words };
  }
  return { rest: [...argv], words };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function parseCommandArgs(command: Command, rest: string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.default !== undefined ? { default: spec.default as never } : {}),
    };
  }
  try {
    return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseArgsProblem(err as Error & { code?: string }, Object.keys(options)), { cause: err });
  }
}

/** node:util parseArgs's errors (whose text quotes unevenly) in our words, naming the option. */
function parseArgsProblem(err: Error & { code?: string }, known: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = quoted.replace(/^-+/, '').split('=')[0];
    const close = known.filter((k) => k.startsWith(given) || given.startsWith(k) || editDistance(k, given) <= 2);
    return `Unknown option ${quoted}${close.length ? ` (did you mean ${close.map((k) => `--${k}`).join(' or ')}?)` : ''}.`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = quoted.split(' ')[0].replace(/,$/, '');
    const long = /--[\w-]+/.exec(quoted)?.[0] ?? flag;
    return /does not take/.test(err.message) ? `Option ${long} takes no value.` : `Option ${long} needs a value (${long} <value>).`;
  }
  return err.message;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

function bindPositionals(command: Command, positionals: string[]): Record<string, string | string[] | undefined> {
  const specs = command.positionals ?? [];
  const args: Record<string, string | string[] | undefined> = {};
  let i = 0;
  for (const spec of specs) {
    if (spec.variadic) {
      args[spec.name] = positionals.slice(i);
      if (spec.required && positionals.length <= i) throw new UsageError(`Missing <${spec.name}>.`);
      i = positionals.length;
    } else {
      args[spec.name] = positionals[i];
      if (spec.required && positionals[i] === undefined) throw new UsageError(`Missing <${spec.name}>.`);
      i++;
    }
  }
  if (i < positionals.length) throw new UsageError(`Unexpected argument "${positionals[i]}".`);
  return args;
}

/** `word` when some command names start with it (`models` for `models pull`). */
function groupOf(word: string | undefined, commands: readonly Command[]): string | undefined {
  return word !== undefined && commands.some((c) => c.name.startsWith(`${word} `)) ? word : undefined;
}

/** Runs one command line; never throws. */
export async function runCli(argv: readonly string[], io: CliIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const { command, rest, words } = findCommand(argv, commands);
  if (!command) {
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    const helpOut = wantsHelp ? io.stdout : io.stderr;
    if (words.length === 0) {
      if (argv.includes('--version')) {
        io.stdout.write(`${PROGRAM} ${version()}\n`);
        return EXIT_OK;
      }
      helpOut.write(programHelp(commands));
      return wantsHelp ? EXIT_OK : EXIT_USAGE;
    }
    if (words[0] === 'help') {
      const target = findCommand(words.slice(1), commands).command;
      io.stdout.write(target ? commandHelp(target) : programHelp(commands, groupOf(words[1], commands)));
      return EXIT_OK;
    }
    const group = groupOf(words[0], commands);
    if (group && words.length === 1) {
      helpOut.write(programHelp(commands, group));
      return wantsHelp ? EXIT_OK : EXIT_USAGE;
    }
    io.stderr.write(`${PROGRAM}: unknown command "${words.join(' ')}". Run \`${PROGRAM} --help\` for the list.\n`);
    return EXIT_USAGE;
  }

  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    const ctx: CommandContext = {
      values: values as CommandContext['values'],
      args: bindPositionals(command, positionals),
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      signal: io.signal,
    };
    return (await command.run(ctx)) ?? EXIT_OK;
  } catch (err) {
    return reportError(err, command, io);
  }
}

/** What a file-system error means for the path it names (`ENOENT: no such file…, open 'x'` is Node's text). */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
};

function fileProblem(err: unknown): string | null {
  const e = err as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof e?.code !== 'string' || typeof e.path !== 'string' || !(e.code in FILE_ERRORS)) return null;
  return `cannot ${e.syscall === 'open' || e.syscall === 'read' ? 'read' : 'use'} ${e.path}: ${FILE_ERRORS[e.code]}.`;
}

function reportError(err: unknown, command: Command, io: CliIO): number {
  if (err instanceof UsageError) {
    io.stderr.write(`${PROGRAM} ${command.name}: ${err.message} Run \`${PROGRAM} ${command.name} --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  const file = fileProblem(err);
  if (file !== null) {
    // A path given on the command line that cannot be read: bad input, like an unknown preset.
    io.stderr.write(`${PROGRAM} ${command.name}: ${file} Check the path.\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`${PROGRAM} ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
  if (io.env.REFSEG_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  if (io.signal.aborted) return EXIT_INTERRUPTED;
  // A 400-class RefsegError is bad input from the command line (unknown preset, bad file).
  return err instanceof RefsegError && err.status === 400 ? EXIT_USAGE : EXIT_FAILURE;
}

/**
 * Process entry used by bin/refseg.mjs: wires Ctrl-C, and SIGTERM (what `docker stop` and
 * Kubernetes send), to the abort signal and exits.
 */
export async function cliMain(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(signal === 'SIGINT' ? '\nStopping (Ctrl-C again to quit at once)…\n' : `\nStopping on ${signal}…\n`);
    controller.abort(new Error(`interrupted by ${signal === 'SIGINT' ? 'Ctrl-C' : signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Let piped output drain before exiting: keep-alive sockets would otherwise hold the process open.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}
