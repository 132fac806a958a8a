// The command line of `npm run bench`: `--provider` is an option, not a file filter, and the
// pipeline bench's thread settings and table.
import { describe, expect, it } from 'vitest';
import { benchFilters, benchProvider } from './harness.ts';
import { formatPipelineTable, settingsFor } from './pipeline.bench.ts';

describe('bench command line', () => {
  it('reads --provider and keeps it out of the file filters', () => {
    expect(benchProvider(['node', 'run.ts'])).toBe('cpu');
    expect(benchProvider(['node', 'run.ts', 'pipeline', '--provider', 'cuda'])).toBe('cuda');
    expect(() => benchProvider(['node', 'run.ts', '--provider', 'tpu'])).toThrow(/--provider must be cpu or cuda, not "tpu"/);
    expect(() => benchProvider(['node', 'run.ts', '--provider'])).toThrow(/not ""/);
    expect(benchFilters(['pipeline', '--provider', 'cuda', 'real-graph'])).toEqual(['pipeline', 'real-graph']);
    expect(benchFilters([])).toEqual([]);
  });
});

describe('pipeline bench', () => {
  it('compares all cores in one worker, the plan and the oversubscribed setting', () => {
    expect(settingsFor(2)).toEqual([
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    expect(settingsFor(8)).toEqual([
      [1, 8],
      [2, 4],
      [2, 8],
    ]);
    expect(settingsFor(1)).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('prints images/s and the speed-up per setting', () => {
    const passes = (ms: number) => [{ ms, cpuMs: ms }];
    const table = formatPipelineTable([{ images: 4, workers: 2, intraOp: 1, sequential: passes(8000), pipelined: passes(5000), overlap: 0.5 }]);
    expect(table.split('\n')[2]).toBe('| 2 × 1 | 0.500 | 0.800 | 1.60× | 50 % | 2.0 s / 1.3 s |');
  });
});
