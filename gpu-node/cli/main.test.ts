import { describe, expect, it } from 'vitest';
import { NotFoundError, UpstreamError } from '../../shared/errors.ts';
import { UsageError, defineCommand, intOption } from './command.ts';
import type { Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, findCommand, runCli } from './main.ts';

class Sink {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

function io(env: Record<string, string> = {}) {
  return { stdout: new Sink(), stderr: new Sink(), env, signal: new AbortController().signal };
}

const seen: unknown[] = [];
const build = defineCommand({
  name: 'bank build',
  summary: 'Build a bank',
  positionals: [
    { name: 'name', description: 'Bank name', required: true },
    { name: 'images', description: 'Reference images', variadic: true },
  ],
  options: {
    shots: { type: 'string', valueName: 'n', default: '5', description: 'Shots per class' },
    dry: { type: 'boolean', short: 'n', description: 'Do nothing' },
    tag: { type: 'string', multiple: true, description: 'Tags' },
  },
  run(ctx) {
    const shots: number = intOption(ctx.values.shots, '--shots', 1)!;
    const dry: boolean | undefined = ctx.values.dry;
    const tags: string[] | undefined = ctx.values.tag;
    seen.push({ args: ctx.args, shots, dry, tags });
    ctx.stdout.write('built\n');
  },
});
const bank = defineCommand({ name: 'bank', summary: 'Show banks', run: () => 3 });
const fails = (error: unknown): Command => ({ name: 'boom', summary: 'Fails', run: () => Promise.reject(error) });

describe('findCommand', () => {
  it('takes the longest command name the leading words spell', () => {
    const commands = [bank, build] as Command[];
    expect(findCommand(['bank', 'build', 'x', '--shots', '2'], commands)).toMatchObject({ command: build, rest: ['x', '--shots', '2'] });
    expect(findCommand(['bank', '--x'], commands)).toMatchObject({ command: bank, rest: ['--x'] });
    expect(findCommand(['nope'], commands).command).toBeUndefined();
  });
});

describe('runCli', () => {
  const commands = [build, bank] as Command[];

  it('parses options and named positionals, with defaults and types', async () => {
    seen.length = 0;
    const o = io();
    expect(await runCli(['bank', 'build', 'shelf', 'a.jpg', 'b.jpg', '-n', '--tag', 'x', '--tag', 'y'], o, commands)).toBe(EXIT_OK);
    expect(o.stdout.text).toBe('built\n');
    expect(seen).toEqual([{ args: { name: 'shelf', images: ['a.jpg', 'b.jpg'] }, shots: 5, dry: true, tags: ['x', 'y'] }]);
  });

  it('returns the exit code a command gives', async () => {
    expect(await runCli(['bank'], io(), commands)).toBe(3);
  });

  it('prints a command help built from its specs with exit 0', async () => {
    const o = io();
    expect(await runCli(['bank', 'build', '--help'], o, commands)).toBe(EXIT_OK);
    expect(o.stdout.text).toContain('Usage: refseg bank build <name> [<images>...] [options]');
    expect(o.stdout.text).toMatch(/--shots <n>\s+Shots per class \(default: 5\)/);
    expect(o.stdout.text).toMatch(/-n, --dry\s+Do nothing/);
    expect(o.stdout.text).toMatch(/-h, --help\s+Show this help/);
    const viaHelp = io();
    expect(await runCli(['help', 'bank', 'build'], viaHelp, commands)).toBe(EXIT_OK);
    expect(viaHelp.stdout.text).toBe(o.stdout.text);
  });

  it('lists the commands: exit 0 when asked, 2 when no command is given', async () => {
    const asked = io();
    expect(await runCli(['--help'], asked, commands)).toBe(EXIT_OK);
    expect(asked.stdout.text).toMatch(/bank build\s+Build a bank/);
    const bare = io();
    expect(await runCli([], bare, commands)).toBe(EXIT_USAGE);
    expect(bare.stderr.text).toContain('Usage: refseg <command> [options]');
  });

  it('answers usage errors with exit 2 and a pointer to the help', async () => {
    for (const argv of [
      ['bank', 'build'], // missing <name>
      ['bank', 'build', 'x', '--wat'], // unknown option
      ['bank', 'build', 'x', '--shots'], // missing value
      ['bank', 'build', 'x', '--shots', 'zero'], // UsageError from intOption
      ['bank', 'extra-positional'],
      ['frobnicate'],
    ]) {
      const o = io();
      expect(await runCli(argv, o, commands), argv.join(' ')).toBe(EXIT_USAGE);
      expect(o.stderr.text, argv.join(' ')).toMatch(/--help/);
      expect(o.stdout.text).toBe('');
    }
  });

  it('shows a group help when only the group word is given', async () => {
    const o = io();
    expect(await runCli(['models'], o)).toBe(EXIT_USAGE);
    expect(o.stderr.text).toContain('Usage: refseg models <command> [options]');
    expect(o.stderr.text).toMatch(/models pull\s+Download model presets/);
    expect(o.stderr.text).toMatch(/models list\s+List model presets/);
  });

  it('maps failures to exit 1, bad input errors to exit 2', async () => {
    const runtime = io();
    expect(await runCli(['boom'], runtime, [fails(new UpstreamError('hub down'))])).toBe(EXIT_FAILURE);
    expect(runtime.stderr.text).toBe('refseg boom: hub down\n');
    const plain = io();
    expect(await runCli(['boom'], plain, [fails(new Error('disk full'))])).toBe(EXIT_FAILURE);
    expect(plain.stderr.text).toBe('refseg boom: disk full\n');
    expect(await runCli(['boom'], io(), [fails(new UsageError('bad'))])).toBe(EXIT_USAGE);
    expect(await runCli(['boom'], io(), [fails(new NotFoundError('bank', 'x'))])).toBe(EXIT_FAILURE);
    const debug = io({ REFSEG_DEBUG: '1' });
    await runCli(['boom'], debug, [fails(new Error('disk full'))]);
    expect(debug.stderr.text).toContain('at ');
  });

  it('registers every command once', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([
      'bank build',
      'doctor',
      'draw',
      'eval',
      'models list',
      'models pull',
      'sample',
      'segment',
      'serve-gpu',
    ]);
  });
});
