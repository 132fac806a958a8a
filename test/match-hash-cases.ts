// Seeded matching inputs and a digest of everything matchCandidates / segmentOfficial report for
// them (keep lists, merge values, detections, float bits included). The digests in
// test/fixtures/match-hashes/ were taken before the matching stages were optimised; any change
// of output, however small, changes a digest.
import { createHash } from 'node:crypto';
import { extractCandidates, segmentOfficial, traceMatch, traceOfficial } from '../shared/matching/index.ts';
import type { PipelineOptionsInput } from '../shared/matching/index.ts';
import type { CandidateSet } from '../shared/types.ts';
import { seededRandom, syntheticScene } from './bench/synthetic.ts';

export const HASH_OPTIONS: PipelineOptionsInput[] = [
  {},
  { officialBoxCompat: true, maxDetections: 7 },
  { classes: [0, 2, 3] },
  { preMergeCap: 30, nmsThreshold: 0.3 },
  { nmsThreshold: 0.9 },
  { nmsThreshold: 1 },
  { nmsThreshold: 0 },
  { zeroScoreLabel: 'exclude' },
  { zeroScoreLabel: 'raw-cosine', classes: [4, 1] },
  { zeroScoreLabel: 'torch-cpu' },
  { scoreThreshold: 0.1, classThresholds: { 1: 0.5, 3: 0 } },
];

export interface HashScene {
  name: string;
  seed: number;
  height: number;
  width: number;
}

export const HASH_SCENES: HashScene[] = [
  { name: '480x640', seed: 11, height: 480, width: 640 },
  { name: '97x131', seed: 12, height: 97, width: 131 },
  { name: '300x200', seed: 13, height: 300, width: 200 },
  { name: '64x64', seed: 14, height: 64, width: 64 },
  { name: '720x1280', seed: 15, height: 720, width: 1280 },
];

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * Per case name, a digest. For each scene: the set as extracted, the same set with unnormalised
 * embeddings (as after float16 transport), the set against centred prototypes, the monolithic
 * path (every fourth option set) and, once, a set of 1200 candidates so NMS takes its per-label
 * path; each under every option set.
 */
export function matchHashes(scene: HashScene): Record<string, string> {
  const s = syntheticScene({ proposals: 200, dim: 32, classes: 6, height: scene.height, width: scene.width, seed: scene.seed });
  // Class 5 points away from every object: its cosines are negative.
  const prototypes = s.prototypes.map((p, c) => (c === 5 ? p.map((v) => -v) : p));
  // Without their shared component the prototypes leave some candidates with no positive cosine.
  const centred = s.prototypes.map((p) => p.map((v, k) => v - s.prototypes.reduce((a, q) => a + q[k], 0) / s.prototypes.length));
  const set = extractCandidates(s, { imageSha256: 'a'.repeat(64), modelId: 'm', pipelineId: 'p' });
  const rand = seededRandom(scene.seed * 31);
  const skewed: CandidateSet = {
    ...set,
    candidates: set.candidates.map((c) => ({ ...c, embedding: c.embedding.map((v) => Math.fround(v * (1 + (rand() - 0.5) * 2e-3))) })),
  };
  const large: CandidateSet = {
    ...set,
    candidates: Array.from({ length: 6 }, () => set.candidates.map((c) => ({ ...c, iou: Math.fround(rand()) }))).flat(),
  };
  const out: Record<string, string> = {};
  HASH_OPTIONS.forEach((options, o) => {
    out[`${scene.name}/extracted/${o}`] = digest(traceMatch(set, prototypes, options));
    out[`${scene.name}/skewed/${o}`] = digest(traceMatch(skewed, prototypes, options));
    out[`${scene.name}/centred/${o}`] = digest(traceMatch(set, centred, options));
    if (o % 4 === 0) {
      const { proposals, ...trace } = traceOfficial({ ...s, prototypes }, options);
      out[`${scene.name}/official/${o}`] = digest({ trace, proposals: digest(proposals), segment: segmentOfficial({ ...s, prototypes }, options) });
    }
    if (scene.seed === 11) out[`${scene.name}/large/${o}`] = digest(traceMatch(large, prototypes, options));
  });
  return out;
}
