// Issue 12 target 2, "less leaves the device": bytes the ONNX runtime hands out per image for the
// official proposals, with every logit copied out (decoderBestMask off) and with the best of 3,
// the IoU filter and the compact masks in the decoder graph (decoder-best-mask.ts); and the host
// CPU per image at ~1000 proposals with model runs excluded (what is left between the decoder and
// the candidate set).
// - Stand-in models (samexporter layout): smooth masks like real SAM2 output; the full 32×32 grid,
//   batches of 256, on the target scene at 512×384, IoU threshold 0.4 (bytes) and 0 (1024 kept
//   proposals, for the host CPU, with 37×37×1024 random patch features: D of DINOv2-L).
// - The weightless real SAM2.1-tiny decoder (weights refilled with noise): 64 prompts, bytes
//   extrapolated linearly to 1024 (both sides are sums over prompts). Its masks are noise, so
//   almost every cell is an edge cell: the worst case of the compact form, not a real figure.
// Takes about a minute.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractCandidates } from '../../shared/matching/index.ts';
import { openModels, type BestMasks, type Decoded, type Models } from '../../gpu-node/models/index.ts';
import { Sam2Runner } from '../../gpu-node/models/sam2-runner.ts';
import { levelTensors } from '../../gpu-node/models/sam2-layout.ts';
import { officialGrid } from '../../gpu-node/pipeline/grid.ts';
import { joinBestMasks } from '../../gpu-node/pipeline/proposals-official.ts';
import { bestMultimask, LogitsCollector, maskPlane } from '../../gpu-node/pipeline/multimask.ts';
import { analyseTarget } from '../../gpu-node/pipeline/target.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { pngOf, targetScene } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { runIfMain, timeIt } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';

const BATCH = 256;
const NAME = 'device-copy';

function bytesRow(what: string, before: number, after: number, note: string): BenchRow {
  const r = after / before;
  return { bench: NAME, what, medianMs: r, minMs: r, cpuMs: Number.NaN, runs: 1, targetMs: 0.1, ratio: { atLeast: false }, note: `${(before / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(2)} MB (1/${(before / after).toFixed(0)}); ${note}` };
}

const denseBytes = (d: Decoded) => d.logits.byteLength + d.iou.byteLength;

/** The host half before: best of 3 and the filter over every copied logit, then extraction. */
function hostBefore(parts: readonly Decoded[], threshold: number, features: Parameters<typeof extractCandidates>[0]['features'], size: { width: number; height: number }) {
  const kept = new LogitsCollector();
  for (const d of parts) {
    for (let p = 0; p < d.count; p++) {
      const t = bestMultimask(d, p);
      const q = d.iou[p * d.maskTokens + t];
      if (q > threshold) kept.push(maskPlane(d, p, t), q);
    }
  }
  const { logits, iou } = kept.take();
  return extractCandidates({ lowResLogits: logits, iou, features, ...size }, { imageSha256: 'x', modelId: 'm', pipelineId: 'p' });
}

/** The host half after: the batches' compact outputs joined, then extraction from them with the device's embeddings. */
function hostAfter(parts: readonly BestMasks[], features: Parameters<typeof extractCandidates>[0]['features'], size: { width: number; height: number }) {
  const { logits, iou, embeddings } = joinBestMasks(parts);
  return extractCandidates({ lowResLogits: logits, iou, features, ...(embeddings ? { embeddings } : {}), ...size }, { imageSha256: 'x', modelId: 'm', pipelineId: 'p' });
}

async function standinRows(dir: string): Promise<BenchRow[]> {
  const paths = await generateStandins(join(dir, 'standins'));
  const common = { sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, threads: { intraOp: 2 }, maxPromptBatch: 64 };
  const models: Models[] = await Promise.all([openModels(common), openModels({ ...common, decoderBestMask: false })]);
  try {
    const [on, off] = models;
    const scene = targetScene();
    const size = { width: scene.width, height: scene.height };
    const [a, b] = await Promise.all([analyseTarget(on, await pngOf(scene)), analyseTarget(off, await pngOf(scene))]);
    const grid = officialGrid(32);
    // DINOv2-L's D, whatever the stand-in's: the device pools these, the host path pools them too.
    const features = { data: Float32Array.from({ length: 37 * 37 * 1024 }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011)), rows: 37, cols: 37, dim: 1024 };
    const rows: BenchRow[] = [];
    const compact = new Map<number, BestMasks[]>([[0.4, []], [0, []]]);
    for (let start = 0; start < 1024; start += BATCH) {
      const points = grid.subarray(2 * start, 2 * (start + BATCH));
      for (const [threshold, parts] of compact) parts.push(await on.sam2.proposePoints!(a.embeddings, points, { iouThreshold: threshold, ...size, features: features.data }));
    }
    const all = compact.get(0)!;
    const n = all.reduce((k, p) => k + p.count, 0);
    // Timed before the dense outputs exist (805 MB that a node with the compact path never holds,
    // whose external memory would make the collector run more often), and apart from the path
    // before, which allocates 268 MB of planes per image.
    const ta = timeIt(() => hostAfter(all, features, size), { runs: 15, warmup: 2 });
    const joinOnly = timeIt(() => joinBestMasks(all), { runs: 5, warmup: 1 });
    const dense: Decoded[] = [];
    for (let start = 0; start < 1024; start += BATCH) dense.push(await off.sam2.decodePoints(b.embeddings, grid.subarray(2 * start, 2 * (start + BATCH))));
    const before = dense.reduce((k, d) => k + denseBytes(d), 0);
    for (const [threshold, parts] of compact) {
      const kept = parts.reduce((k, p) => k + p.count, 0);
      const edges = parts.reduce((k, p) => k + p.edgeCell.length, 0);
      const after = parts.reduce((k, p) => k + p.bytesOut, 0);
      rows.push(bytesRow(`bytes out per image, stand-ins, IoU > ${threshold}`, before, after, `1024 prompts, ${kept} kept, ${(edges / Math.max(1, kept)).toFixed(0)} edge cells a mask`));
    }
    const tb = timeIt(() => hostBefore(dense, 0, features, size), { runs: 5, warmup: 1 });
    rows.push({ bench: NAME, what: `host CPU per image, every logit copied, ${n} proposals`, ...tb, note: 'best of 3 + filter + extraction, D = 1024, 512×384' });
    rows.push({ bench: NAME, what: `host CPU per image, compact outputs, ${n} proposals`, ...ta, targetMs: 50, note: 'join the batches + extraction read from signs and edge logits, pooled embeddings' });
    rows.push({ bench: NAME, what: `of which joining the 4 batches`, ...joinOnly, note: 'the rest is extractCandidates (shared/matching)' });
    return rows;
  } finally {
    await Promise.all(models.map((m) => m.close()));
  }
}

async function realGraphRows(dir: string): Promise<BenchRow[]> {
  filledModelDir(join(dir, 'sam2'));
  const files = { encoder: join(dir, 'sam2', 'encoder.onnx'), decoder: join(dir, 'sam2', 'decoder.onnx') };
  const settings = { provider: 'cpu' as const, intraOpThreads: 2, interOpThreads: 1 };
  const options = { removeNoMemEmbed: true, maxPromptBatch: 32, removeMaskClip: true, decoderImageOnce: true };
  const on = await Sam2Runner.open(files, settings, { ...options, decoderBestMask: true });
  const off = await Sam2Runner.open(files, settings, { ...options, decoderBestMask: false });
  const level = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7311 + seed) * 2 + ((i * 7919 + seed) % 101) / 500);
  const levels = levelTensors([level(32 * 256 * 256, 1), level(64 * 128 * 128, 2), level(256 * 64 * 64, 3)]);
  const prompts = 64;
  const points = officialGrid(32).subarray(0, 2 * prompts);
  const dense = await off.decodePoints(levels, points, new Int32Array(prompts).fill(1));
  const kept = await on.proposePoints(levels, points, Math.fround(0.4), { height: 480, width: 640 }, level(37 * 37 * 384, 5));
  const scale = 1024 / prompts;
  return [
    bytesRow('bytes out per image, weightless real graph, IoU > 0.4', denseBytes(dense) * scale, kept.bytesOut * scale, `${prompts} prompts ×${scale}, ${kept.count} kept; noise masks: ${((100 * kept.edgeCell.length) / Math.max(1, kept.count * 65536)).toFixed(0)} % edge cells`),
  ];
}

const bench: Bench = {
  name: NAME,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-device-'));
    try {
      return [...(await standinRows(dir)), ...(await realGraphRows(dir))];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
