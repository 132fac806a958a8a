// `npm run bench`: every test/bench/*.bench.ts in turn (alphabetical), one table at the end.
// A bench that throws is reported and the others still run.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchFilters, benchProvider, formatTable } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';

const dir = import.meta.dirname;
// `npm run bench -- real-graph` runs only the benches whose file name contains an argument;
// `--provider cuda` is read by the pipeline bench (harness.ts benchProvider), checked here first.
benchProvider();
const only = benchFilters(process.argv.slice(2));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const rows: BenchRow[] = [];
let failed = 0;
for (const file of files) {
  console.log(`bench: ${file}`);
  try {
    const bench = (await import(pathToFileURL(join(dir, file)).href)).default as Bench;
    rows.push(...(await bench.run()));
  } catch (err) {
    failed++;
    console.error(`bench ${file} failed:`, err);
  }
}
console.log(`\n${formatTable(rows)}`);
if (failed > 0) process.exitCode = 1;
