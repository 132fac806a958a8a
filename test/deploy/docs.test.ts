// docs/deploy.md names only what exists: every `refseg` command line in it parses with that
// command's own options, every file it points at is in the repository, every REFSEG_ variable is
// read by the code, and every npm script it runs is in package.json.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../gpu-node/cli/commands/index.ts';
import { findCommand } from '../../gpu-node/cli/main.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
const blocks = [...DOC.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
const commandLines = blocks.flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '');

/** Shell words of a command line, enough for these docs: quotes kept together, comments dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"[^"]*"|'[^']*'|\S+/g;
  for (const m of line.matchAll(re)) {
    if (m[0].startsWith('#')) break;
    out.push(m[0]);
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe('docs/deploy.md', () => {
  it('every refseg command line parses with the options of its command', () => {
    const refsegLines = commandLines.map(words).flatMap((w) => {
      // `npx refseg …` and the image's entrypoint (`docker run … refseg-gpu-node <command>`).
      const at = w.indexOf('refseg');
      if (w[0] === 'npx' && at === 1) return [w.slice(2)];
      const image = w.findIndex((x, i) => x === 'refseg-gpu-node' && w[i - 1] !== '--name');
      if (w[0] === 'docker' && w[1] === 'run' && image >= 0 && image < w.length - 1) return [w.slice(image + 1)];
      return [];
    });
    expect(refsegLines.length).toBeGreaterThanOrEqual(8);
    for (const argv of refsegLines) {
      const { command, rest } = findCommand(argv, COMMANDS);
      expect(command, argv.join(' ')).toBeDefined();
      const options: NonNullable<ParseArgsConfig['options']> = {};
      for (const [name, spec] of Object.entries(command!.options ?? {})) options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) };
      expect(() => parseArgs({ args: rest, options, allowPositionals: true, strict: true }), argv.join(' ')).not.toThrow();
    }
  });

  it('every npm script it runs exists', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const run = DOC.matchAll(/npm run ([a-z:]+)/g);
    const named = [...new Set([...run].map((m) => m[1]))];
    expect(named).toContain('install:cuda');
    for (const n of named) expect(scripts[n], n).toBeDefined();
  });

  it('every file of the repository it names exists', () => {
    const paths = [...new Set([...DOC.matchAll(/`((?:deploy|edge|gpu-node|scripts|test|shared)\/[A-Za-z0-9_./-]+|wrangler\.toml|\.ci\/run)`/g)].map((m) => m[1]))];
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('every REFSEG_ variable it names is read by the code', () => {
    const code = ['edge', 'gpu-node', 'shared']
      .flatMap((d) => filesUnder(join(ROOT, d)))
      .concat([join(ROOT, 'start.ts')])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const named = [...new Set([...DOC.matchAll(/REFSEG_[A-Z_]+[A-Z]/g)].map((m) => m[0]))];
    expect(named.length).toBeGreaterThan(15);
    for (const v of named) expect(code.includes(v), v).toBe(true);
  });
});
