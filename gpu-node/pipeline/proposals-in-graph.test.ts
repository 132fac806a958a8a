// The official proposals chosen in the decoder graph (decoder-best-mask.ts, compact outputs) give
// the candidate sets of the host path (embeddings pooled in float32: within 2e-6, same detections), on the stand-in models: at 800×600
// (upsampling) and at 200×120 (the resize shrinks, so the edge radius grows), and copy a fraction
// of the bytes out of the runtime.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModels, type Models } from '../models/index.ts';
import { generateStandins, type StandinPaths } from '../standin/generate.ts';
import { renderScene } from '../standin/scene.ts';
import { extractCandidates, isCompact, matchCandidates } from '../../shared/matching/index.ts';
import type { CompactLowRes } from '../../shared/matching/index.ts';
import { densePlanes } from '../../test/compact-planes.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { proposalInput } from './candidates.ts';
import { resolveProposalConfig } from './presets.ts';
import { analyseTarget } from './target.ts';

let dir: string;
let paths: StandinPaths;
let inGraph: Models;
let onHost: Models;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-in-graph-'));
  paths = await generateStandins(dir);
  const common = { sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, threads: { intraOp: 1 }, maxPromptBatch: 48 };
  [inGraph, onHost] = await Promise.all([openModels(common), openModels({ ...common, decoderBestMask: false })]);
});

afterAll(async () => {
  await Promise.all([inGraph?.close(), onHost?.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function scenePng(w: number, h: number): Promise<Uint8Array> {
  const s = (v: number) => Math.round((v * w) / 800);
  const t = (v: number) => Math.round((v * h) / 600);
  const scene = renderScene(w, h, [128, 128, 128], [
    { kind: 'disc', color: [220, 30, 30], cx: s(200), cy: t(150), r: s(60) },
    { kind: 'disc', color: [220, 30, 30], cx: s(600), cy: t(430), r: s(55) },
    { kind: 'rect', color: [30, 40, 210], x0: s(480), y0: t(80), x1: s(640), y1: t(200) },
    { kind: 'disc', color: [40, 190, 60], cx: s(180), cy: t(450), r: s(70) },
  ]);
  return new Uint8Array(await sharp(scene.data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
}

describe('official proposals in the decoder graph', () => {
  it('are applied on the samexporter layout by default, off on request, and not on the onnx-community layout', async () => {
    expect(inGraph.info.sam2).toMatchObject({ layout: 'samexporter', bestMask: 'applied' });
    expect(onHost.info.sam2.bestMask).toBe('off');
    expect(typeof inGraph.sam2.proposePoints).toBe('function');
    expect(onHost.sam2.proposePoints).toBeUndefined();
    const community = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dinoRegisters, threads: { intraOp: 1 } });
    try {
      expect(community.info.sam2).toMatchObject({ layout: 'onnx-community', bestMask: 'none' });
      expect(community.sam2.proposePoints).toBeUndefined();
    } finally {
      await community.close();
    }
  });

  for (const [w, h] of [[800, 600], [200, 120]]) {
    it(`give the host path's candidates and detections at ${w}×${h} (embeddings within 2e-6), copying a tenth of the bytes or less`, async () => {
      const image = await scenePng(w, h);
      const [a, b] = await Promise.all([analyseTarget(inGraph, image), analyseTarget(onHost, image)]);
      const config = resolveProposalConfig({ preset: 'official', pointsPerSide: 10, pointsPerBatch: 64 });
      const ids = { modelId: 'm', pipelineId: 'p' };
      const [inputMine, inputTheirs] = [await proposalInput(inGraph.sam2, a, config), await proposalInput(onHost.sam2, b, config)];
      // The compact path was taken: read as planes, they hold ±1 away from the edges and the same
      // signs everywhere; extraction reads the compact form itself exactly as those planes.
      const [lm, lt] = [inputMine.lowResLogits, inputTheirs.lowResLogits];
      expect(isCompact(lm) && !isCompact(lt)).toBe(true);
      const [planes, logits] = [densePlanes(lm as readonly CompactLowRes[]), lt as Float32Array];
      expect(planes.length).toBe(logits.length);
      expect(planes.some((v, i) => v !== logits[i])).toBe(true);
      expect(planes.every((v, i) => v > 0 === logits[i] > 0)).toBe(true);
      expect(Array.from(inputMine.iou)).toEqual(Array.from(inputTheirs.iou));
      const [mine, theirs] = [extractCandidates(inputMine, { imageSha256: 'x', ...ids }), extractCandidates(inputTheirs, { imageSha256: 'x', ...ids })];
      expect(extractCandidates({ ...inputMine, lowResLogits: planes }, { imageSha256: 'x', ...ids })).toEqual(mine);
      expect(theirs.candidates.length).toBeGreaterThanOrEqual(4);
      expect(mine.candidates.length).toBe(theirs.candidates.length);
      // Masks, boxes and IoUs are equal; the embeddings were pooled in the graph in float32 (the
      // host sums in float64): equal within 2e-6, and the detections they give are the same.
      const strip = (s: CandidateSet) => s.candidates.map(({ embedding: _e, ...rest }) => rest);
      expect(strip(mine)).toEqual(strip(theirs));
      let worst = 0;
      mine.candidates.forEach((c, k) => c.embedding.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - theirs.candidates[k].embedding[j])))));
      expect(worst).toBeLessThan(2e-6);
      expect(mine.candidates.some((c, k) => c.embedding.some((v, j) => v !== theirs.candidates[k].embedding[j]))).toBe(true);
      // Prototypes: the host's embeddings of the first two candidates, as two classes.
      const prototypes = theirs.candidates.slice(0, 2).map((c) => c.embedding);
      const [dm, dt] = [matchCandidates(mine, prototypes), matchCandidates(theirs, prototypes)];
      expect(dt.length).toBeGreaterThan(0);
      expect(dm.map((d) => [d.index, d.label])).toEqual(dt.map((d) => [d.index, d.label]));
      dm.forEach((d, k) => expect(d.score).toBeCloseTo(dt[k].score, 5));

      const points = Array.from({ length: 100 }, (_, i) => [(1023 * Math.floor(i / 10)) / 9, (1023 * (i % 10)) / 9]).flat();
      const kept = await inGraph.sam2.proposePoints!(a.embeddings, points, { iouThreshold: 0.4, height: h, width: w, features: a.features.data });
      expect(kept.dim).toBe(a.features.dim);
      const denseBytes = 100 * 3 * 256 * 256 * 4 + 100 * 3 * 4;
      expect(kept.count).toBeGreaterThanOrEqual(4);
      expect(kept.bytesOut).toBeLessThan(denseBytes / 10);
    });
  }
});
