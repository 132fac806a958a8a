// The folder layout is the architecture, checked by scanning the sources rather than trusting
// reviews:
// - shared/ must run unchanged in Workers, Deno, Node and browsers: no Node built-ins, no Buffer,
//   no process, no native add-ons.
// - A tier never imports the other (gpu-node/ ↔ edge/): what both need lives in shared/, and
//   what needs both (cross-tier tests, the `npm start` launcher) lives outside the tiers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = join(ROOT, 'shared');

function sources(dir: string, withTests = false): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p, withTests);
    return p.endsWith('.ts') && (withTests || !p.endsWith('.test.ts')) ? [p] : [];
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

/** Module specifiers of static imports and re-exports (`… from '…'`, `import '…'`) and of `import('…')`. */
const SPECIFIER = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Repo-relative paths of the relative imports in `text` (a file at `file`) that land in folder `tier`. */
function importsInto(text: string, file: string, tier: string): string[] {
  const inside = join(ROOT, tier) + sep;
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec))
    .filter((target) => target.startsWith(inside))
    .map((target) => relative(ROOT, target));
}

describe('importsInto finds every form of import', () => {
  const file = join(ROOT, 'gpu-node', 'datasets', 'x.ts');
  it('static, type-only, side-effect, re-export and dynamic imports', () => {
    const text = [
      "import { a } from '../../edge/a.ts';",
      "import type { B } from '../../edge/b.ts';",
      "import '../../edge/c.ts';",
      "export { d } from '../../edge/d.ts';",
      "const { e } = await import('../../edge/e.ts');",
      "import { f } from '../../shared/f.ts';",
      "import { g } from 'edge-package';",
    ].join('\n');
    expect(importsInto(text, file, 'edge')).toEqual(['edge/a.ts', 'edge/b.ts', 'edge/c.ts', 'edge/d.ts', 'edge/e.ts'].map((p) => p.split('/').join(sep)));
  });
  it('a folder whose name only starts like a tier is not that tier', () => {
    expect(importsInto("import { a } from '../../edge-tools/a.ts';", file, 'edge')).toEqual([]);
  });
});

describe('gpu-node/ and edge/ do not import each other', () => {
  for (const [tier, other] of [
    ['gpu-node', 'edge'],
    ['edge', 'gpu-node'],
  ] as const) {
    const files = sources(join(ROOT, tier), true);
    it(`${tier}/ has sources to check`, () => {
      expect(files.length).toBeGreaterThan(0);
    });
    it(`no file under ${tier}/ imports from ${other}/`, () => {
      const found = files.flatMap((f) => importsInto(readFileSync(f, 'utf8'), f, other).map((target) => `${relative(ROOT, f)} → ${target}`));
      expect(found).toEqual([]);
    });
  }
});
