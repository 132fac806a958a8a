// The samexporter SAM2.1-tiny decoder (real graph, weights refilled: test/fixtures/models/README.md)
// as refseg loaded it before (mask clamp removed) and with the image-only work run once per call
// (gpu-node/models/decoder-image-once.ts), on the same inputs in the same process:
// - wall and CPU ms per prompt, the two graphs alternating run by run (batches of 64 prompts,
//   the runner's default), so load from other users of the machine hits both alike;
// - onnxruntime's own profile of one 32-prompt run of each, summed by part of the decoder;
// - FLOPs per prompt and per call, from the nodes and the shapes they see (graph-flops.ts).
// `npx tsx test/bench/decoder-image-once.bench.ts` prints the FLOP and profile tables too.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { unclipMaskLogits } from '../../gpu-node/models/decoder-clip.ts';
import { imageOnceDecoder } from '../../gpu-node/models/decoder-image-once.ts';
import { fillWeightless, WEIGHTLESS_DIR } from '../real-graph/fill.ts';
import { countFlops, perPrompt } from './graph-flops.ts';
import type { GroupOf } from './graph-flops.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';

const THREADS = 2;
const BATCH = 64;
const ROUNDS = 6;
const PROFILE_PROMPTS = 32;
const PROFILE_RUNS = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seeded values in [−0.5, 0.5): the decoder's cost does not depend on them. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5);
}

/** The official prompt: one positive point per prompt, no mask. */
export function decoderFeeds(prompts: number): Record<string, ort.Tensor> {
  return {
    image_embed: new ort.Tensor('float32', values(256 * 64 * 64, 1), [1, 256, 64, 64]),
    high_res_feats_0: new ort.Tensor('float32', values(32 * 256 * 256, 2), [1, 32, 256, 256]),
    high_res_feats_1: new ort.Tensor('float32', values(64 * 128 * 128, 3), [1, 64, 128, 128]),
    point_coords: new ort.Tensor('float32', Float32Array.from({ length: prompts * 2 }, (_, i) => (i * 389 + 17) % 1024), [prompts, 1, 2]),
    point_labels: new ort.Tensor('float32', new Float32Array(prompts).fill(1), [prompts, 1]),
    mask_input: new ort.Tensor('float32', new Float32Array(prompts * 256 * 256), [prompts, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
  };
}

/** The decoder before (clamp removed, as refseg loads it) and after the image-once patch. */
export function decoderPair(): { before: Uint8Array; after: Uint8Array } {
  const filled = fillWeightless(readFileSync(join(WEIGHTLESS_DIR, 'decoder.onnx')));
  const before = unclipMaskLogits(filled, 'decoder.onnx').model ?? filled;
  const after = imageOnceDecoder(before)?.model;
  if (!after) throw new Error('decoder-image-once: the real decoder graph was not recognised');
  return { before, after };
}

/** Parts of the decoder, from samexporter's scoped node names. */
const groupOf: GroupOf = ({ name, opType }) => {
  if (opType === 'Transpose') return 'all Transposes';
  const proj = /^\/transformer\/(layers\.\d|final_attn_token_to_image)\/?([a-z_]*)\/((?:q|k|v)_proj)\//.exec(name);
  if (proj) return `${proj[1]} ${proj[2]} ${proj[3]}`.replace(/ +/g, ' ');
  const layer = /^\/transformer\/(layers\.\d|final_attn_token_to_image)\//.exec(name);
  if (layer) return `${layer[1]} (rest)`;
  if (name.startsWith('/mask_downscaling')) return 'mask downscaling (zero mask_input)';
  if (name.startsWith('/output_upscaling')) return `output upscaling ${opType}`;
  if (name.startsWith('/output_hypernetworks')) return 'hypernetwork MLPs';
  if (name.startsWith('/transformer/')) return 'transformer (in/out)';
  return 'prompt encoder, src, heads (top level)';
};

export interface FlopTable {
  rows: { group: string; before: number; after: number; beforeOnce: number; afterOnce: number }[];
  before: number;
  after: number;
}

export async function flopTable(before: Uint8Array, after: Uint8Array): Promise<FlopTable> {
  const [b1, b2, a1, a2] = [await countFlops(before, decoderFeeds(1), groupOf), await countFlops(before, decoderFeeds(2), groupOf), await countFlops(after, decoderFeeds(1), groupOf), await countFlops(after, decoderFeeds(2), groupOf)];
  const pb = new Map(perPrompt(b1, b2).map((r) => [r.group, r]));
  const pa = new Map(perPrompt(a1, a2).map((r) => [r.group, r]));
  const groups = [...new Set([...pb.keys(), ...pa.keys()])];
  const rows = groups
    .map((group) => ({
      group,
      before: pb.get(group)?.perPrompt ?? 0,
      after: pa.get(group)?.perPrompt ?? 0,
      beforeOnce: pb.get(group)?.perCall ?? 0,
      afterOnce: pa.get(group)?.perCall ?? 0,
    }))
    .sort((x, y) => y.before - x.before);
  return { rows, before: b2.total - b1.total, after: a2.total - a1.total };
}

type ProfileEvent = { cat: string; name: string; dur: number; ts: number; args?: { op_name?: string } };

/** Kernel time (µs) by part of the decoder in each profiled run after the first (warm-up). */
function runsOf(events: ProfileEvent[]): Map<string, number>[] {
  const starts = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.ts).sort((a, b) => a - b);
  const runs = starts.map(() => new Map<string, number>());
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    let r = starts.length - 1;
    while (r > 0 && e.ts < starts[r]) r--;
    const group = groupOf({ name: e.name.replace(/_kernel_time$/, ''), opType: e.args?.op_name ?? '' });
    runs[r].set(group, (runs[r].get(group) ?? 0) + e.dur);
  }
  return runs.slice(1);
}

/**
 * onnxruntime's profile of both graphs, `runs` alternated runs each after one warm-up: the
 * median kernel time (µs) of each part of the decoder, per graph.
 */
async function profile(models: readonly Uint8Array[], prompts: number, runs: number): Promise<Map<string, number>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'refseg-prof-'));
  try {
    const sessions = await Promise.all(
      models.map((model, i) =>
        ort.InferenceSession.create(model, { intraOpNumThreads: THREADS, graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: join(dir, `decoder${i}`) }),
      ),
    );
    const feeds = decoderFeeds(prompts);
    for (let r = 0; r <= runs; r++) for (const s of r % 2 === 0 ? sessions : [...sessions].reverse()) await s.run(feeds);
    for (const s of sessions) {
      s.endProfiling();
      await s.release();
    }
    return models.map((_, i) => {
      const file = readdirSync(dir).find((f) => f.startsWith(`decoder${i}`) && f.endsWith('.json'));
      if (!file) throw new Error('no onnxruntime profile written');
      const perRun = runsOf(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]);
      const groups = new Set(perRun.flatMap((m) => [...m.keys()]));
      return new Map([...groups].map((g) => [g, median(perRun.map((m) => m.get(g) ?? 0))]));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const gflop = (f: number) => (f / 1e9).toFixed(3);

const bench: Bench = {
  name: 'decoder-image-once',
  async run() {
    const { before, after } = decoderPair();
    const opts = { intraOpNumThreads: THREADS, graphOptimizationLevel: 'all' as const };
    const sessions = [await ort.InferenceSession.create(before, opts), await ort.InferenceSession.create(after, opts)];
    const feeds = decoderFeeds(BATCH);
    const wall: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    try {
      for (const s of sessions) await s.run(feeds);
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which graph goes first, so neither always follows the other.
        for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await sessions[i].run(feeds);
          wall[i].push((performance.now() - t0) / BATCH);
          const c = process.cpuUsage(c0);
          cpu[i].push((c.user + c.system) / 1000 / BATCH);
        }
      }
    } finally {
      for (const s of sessions) await s.release();
    }
    const flops = await flopTable(before, after);
    const [profBefore, profAfter] = await profile([before, after], PROFILE_PROMPTS, PROFILE_RUNS);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

    if (process.argv.some((a) => a.endsWith('decoder-image-once.bench.ts'))) {
      console.log('\nFLOPs per prompt (and once per call), GFLOP, before → after');
      for (const r of flops.rows) {
        if (r.before === 0 && r.after === 0 && r.beforeOnce === 0 && r.afterOnce === 0) continue;
        console.log(`  ${r.group.padEnd(52)} ${gflop(r.before).padStart(7)} → ${gflop(r.after).padStart(7)}   (once: ${gflop(r.beforeOnce)} → ${gflop(r.afterOnce)})`);
      }
      console.log(`  ${'total per prompt'.padEnd(52)} ${gflop(flops.before).padStart(7)} → ${gflop(flops.after).padStart(7)}  (${((100 * (flops.before - flops.after)) / flops.before).toFixed(1)} % fewer)`);
      console.log(`\nonnxruntime profile, ${PROFILE_PROMPTS} prompts, median of ${PROFILE_RUNS} runs, kernel ms (share), before → after`);
      const tb = sum(profBefore);
      const ta = sum(profAfter);
      const groups = [...new Set([...profBefore.keys(), ...profAfter.keys()])].sort((x, y) => (profBefore.get(y) ?? 0) - (profBefore.get(x) ?? 0));
      for (const g of groups) {
        const b = profBefore.get(g) ?? 0;
        const a = profAfter.get(g) ?? 0;
        console.log(`  ${g.padEnd(52)} ${(b / 1000).toFixed(1).padStart(7)} (${((100 * b) / tb).toFixed(1).padStart(4)} %) → ${(a / 1000).toFixed(1).padStart(7)} (${((100 * a) / ta).toFixed(1).padStart(4)} %)`);
      }
      console.log(`  ${'total'.padEnd(52)} ${(tb / 1000).toFixed(1).padStart(7)} → ${(ta / 1000).toFixed(1).padStart(7)}`);
    }

    const row = (what: string, i: number, note: string): BenchRow => ({
      bench: 'decoder-image-once',
      what,
      medianMs: median(wall[i]),
      minMs: Math.min(...wall[i]),
      cpuMs: median(cpu[i]),
      runs: ROUNDS,
      note,
    });
    const ratio = (xs: number[][]) => (100 * (1 - median(xs[1]) / median(xs[0]))).toFixed(1);
    const profSaved = (100 * (1 - sum(profAfter) / sum(profBefore))).toFixed(1);
    return [
      row(`SAM2.1-tiny decoder per prompt, as exported (batch ${BATCH})`, 0, `${gflop(flops.before)} GFLOP/prompt`),
      row(`SAM2.1-tiny decoder per prompt, image work once (batch ${BATCH})`, 1,
        `${gflop(flops.after)} GFLOP/prompt (${((100 * (flops.before - flops.after)) / flops.before).toFixed(1)} % fewer); ` +
          `${ratio(wall)} % less wall, ${ratio(cpu)} % less CPU, ${profSaved} % less kernel time (ORT profile, ${PROFILE_PROMPTS} prompts, median of ${PROFILE_RUNS}); target ≥ 15 %`),
    ];
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
