import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torchCpuTieIndex, zeroScorePosition } from './zero-score-label.ts';

// Measured with torch 1.13.1 on CPU (test/fixtures/torch-topk-ties/README.md).
const measured: number[] = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'torch-topk-ties', 'torch-topk-ties.json'), 'utf8'),
).index_for_class_count_1_to_1024;

describe('zero-score labels', () => {
  it('torch-cpu gives the index torch.topk was measured to return, for 1 to 1024 classes', () => {
    expect(measured).toHaveLength(1024);
    expect(Array.from({ length: 1024 }, (_, i) => torchCpuTieIndex(i + 1))).toEqual(measured);
    // The cases of issue 13: 2, 3 and 80 classes give the first, 20 classes give index 12.
    expect([2, 3, 20, 80].map(torchCpuTieIndex)).toEqual([0, 0, 12, 0]);
  });

  it('first agrees with torch on CPU exactly for 1–3 and 64+ classes', () => {
    const agree = measured.flatMap((index, i) => (index === zeroScorePosition('first', i + 1, 5) ? [] : [i + 1]));
    expect(agree).toEqual(Array.from({ length: 60 }, (_, i) => i + 4));
  });

  it('raw-cosine and exclude keep the position of the largest raw cosine', () => {
    expect(zeroScorePosition('raw-cosine', 20, 7)).toBe(7);
    expect(zeroScorePosition('exclude', 20, 7)).toBe(7);
    expect(zeroScorePosition('torch-cpu', 20, 7)).toBe(12);
    expect(zeroScorePosition('first', 20, 7)).toBe(0);
  });
});
