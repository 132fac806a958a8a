// Post-model pipeline cost on one image of the size the budget is set for: n = 1000 proposals,
// D = 1024, 640×480, 20 classes, one thread. Budgets: candidate extraction ≤ 150 ms (gpu-node,
// per image), matching + NMS + merge on a candidate set ≤ 30 ms (edge, per request).
import {
  createClassMatcher,
  createFullResRenderer,
  createMaskPooler,
  extractCandidates,
  matchCandidates,
  scanLowResMask,
  segmentOfficial,
} from '../../shared/matching/index.ts';
import { runIfMain, timeIt } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { syntheticScene } from './synthetic.ts';

const SCENE = { proposals: 1000, dim: 1024, classes: 20, height: 480, width: 640, seed: 7 };

const bench: Bench = {
  name: 'matching',
  run() {
    const scene = syntheticScene(SCENE);
    const identity = { imageSha256: '0'.repeat(64), modelId: 'bench', pipelineId: 'official' };
    const n = SCENE.proposals;

    const set = extractCandidates(scene, identity);
    const detections = matchCandidates(set, scene.prototypes);
    const note = `${n} proposals → ${set.candidates.length} candidates → ${detections.length} detections`;
    const rows: BenchRow[] = [];
    const add = (what: string, fn: () => unknown, runs: number, targetMs?: number, extra?: string) => {
      rows.push({ bench: 'matching', what, ...timeIt(fn, { runs, warmup: 2 }), targetMs, note: extra });
    };

    const masks = Array.from({ length: n }, (_, i) => scanLowResMask(scene.lowResLogits, i));
    const pooler = createMaskPooler(scene.features);
    const renderer = createFullResRenderer(SCENE.height, SCENE.width);
    // What no extraction can beat: touching every logit once (n·256² float32 values), four words
    // per step as the scan reads them.
    const words = new Int32Array(scene.lowResLogits.buffer);
    add('floor: read every logit once', () => {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i + 3 < words.length; i += 4) {
        a0 |= words[i];
        a1 |= words[i + 1];
        a2 |= words[i + 2];
        a3 |= words[i + 3];
      }
      return a0 | a1 | a2 | a3;
    }, 5);
    add('scan 256-grid masks', () => {
      for (let i = 0; i < n; i++) scanLowResMask(scene.lowResLogits, i);
    }, 5);
    add('mask embeddings', () => {
      for (const m of masks) pooler.embed(m);
    }, 5);
    add('full-res masks → RLE', () => {
      for (const m of masks) renderer.render(scene.lowResLogits, m);
    }, 5);
    add('extractCandidates', () => extractCandidates(scene, identity), 5, 150, note);
    const embeddings = set.candidates.map((c) => c.embedding);
    add('label candidates (cosines)', () => createClassMatcher(scene.prototypes, SCENE.dim).matchAll(embeddings), 15);
    add('matchCandidates', () => matchCandidates(set, scene.prototypes), 15, 30);
    add('segmentOfficial (monolithic)', () => segmentOfficial(scene), 5);
    return rows;
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
