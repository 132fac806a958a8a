// The split path (extractCandidates on the gpu-node, matchCandidates at the edge) must return the
// monolithic segmentOfficial result exactly, for any options. The golden runner checks this on
// every pipeline fixture; here on synthetic float32 scenes with many overlapping proposals.
import { describe, expect, it } from 'vitest';
import { syntheticScene } from '../../test/bench/synthetic.ts';
import { extractCandidates } from './extract.ts';
import { scanLowResMask } from './low-res-mask.ts';
import { matchCandidates } from './match.ts';
import { segmentOfficial } from './official.ts';
import type { PipelineOptionsInput } from './options.ts';

const OPTIONS: PipelineOptionsInput[] = [
  {},
  { officialBoxCompat: true },
  { classes: [1, 3, 4], maxDetections: 15 },
  { preMergeCap: 20, nmsThreshold: 0.3 },
  { scoreThreshold: 0.2, classThresholds: { 0: 0.9, 2: 0 } },
];

describe('extractCandidates then matchCandidates = segmentOfficial', () => {
  for (const [height, width, seed] of [
    [480, 640, 1],
    [150, 200, 2],
  ]) {
    it(`on a ${height}×${width} scene`, () => {
      const scene = syntheticScene({ proposals: 160, dim: 24, classes: 6, height, width, seed });
      const set = extractCandidates(scene, { imageSha256: 'f'.repeat(64), modelId: 'm', pipelineId: 'p' });
      // Candidate k is the k-th proposal with a non-empty 256-grid mask (some blobs lie off the grid).
      const proposalOf = Array.from(scene.iou.keys()).filter((i) => scanLowResMask(scene.lowResLogits, i).area > 0);
      expect(proposalOf.length).toBeGreaterThan(100);
      expect(set.candidates.map((c) => c.iou)).toEqual(proposalOf.map((i) => scene.iou[i]));
      for (const options of OPTIONS) {
        const whole = segmentOfficial(scene, options);
        expect(whole.length, JSON.stringify(options)).toBeGreaterThan(0);
        const split = matchCandidates(set, scene.prototypes, options).map((d) => ({ ...d, index: proposalOf[d.index] }));
        expect(split, JSON.stringify(options)).toEqual(whole);
      }
    });
  }
});
