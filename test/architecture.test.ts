// shared/ must run unchanged in Workers, Deno, Node and browsers: no Node built-ins, no Buffer,
// no process, no native add-ons. This scans the sources rather than trusting reviews.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED = resolve(import.meta.dirname, '../shared');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, 'node: import'],
  [/from\s+['"](fs|path|os|zlib|crypto|worker_threads|child_process|http|https|stream|url|util)(\/[^'"]*)?['"]/, 'Node built-in import'],
  [/\brequire\(/, 'require()'],
  [/\bBuffer\./, 'Buffer'],
  [/\bprocess\.(env|argv|exit|cwd)/, 'process'],
];

describe('shared/ uses Web-standard APIs only', () => {
  const files = sources(SHARED);
  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file.slice(SHARED.length + 1), () => {
      const text = readFileSync(file, 'utf8');
      for (const [re, what] of FORBIDDEN) {
        expect(re.test(text), `${what} in ${file}`).toBe(false);
      }
    });
  }
});
