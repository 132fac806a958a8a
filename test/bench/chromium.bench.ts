// Per-stage speeds of onnxruntime-web WASM in headless Chromium, single-threaded and threaded
// (cross-origin isolated), on the weightless real SAM2.1-tiny graphs as refseg patches them and a
// random-weight ViT-S/14 at 518² (chromium-stages.ts). Prints the bench rows, then the per-image
// cost of each proposal preset and a Markdown table for docs/on-device.md. Takes several minutes.
//   npx tsx test/bench/chromium.bench.ts          (REFSEG_BENCH_RUNS=n timed runs per stage, default 2)
import { cpus, loadavg } from 'node:os';
import { resolveProposalConfig } from '../../gpu-node/pipeline/presets.ts';
import { ProposalPresetSchema } from '../../shared/schemas.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { measureStages } from './chromium-stages.ts';
import type { ModeResult } from './chromium-stages.ts';

const PROMPTS = 64;
const RUNS = Number(process.env.REFSEG_BENCH_RUNS ?? 2);

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** Grid prompts of a preset: pointsPerSide². */
function promptsOf(preset: (typeof ProposalPresetSchema.options)[number]): number {
  return resolveProposalConfig(preset).pointsPerSide ** 2;
}

/**
 * One image's model time: encoder + DINOv2 + the decoder runs of its grid (64 prompts per run).
 * Matching, mask upsampling and NMS come on top; they are small next to these.
 */
function imageMs(r: Record<Stage, readonly number[]>, prompts: number, pick: (xs: readonly number[]) => number): number {
  return pick(r.encoder) + pick(r.dino) + Math.ceil(prompts / PROMPTS) * pick(r.decoder);
}

type Stage = 'encoder' | 'dino' | 'decoder';
const STAGES: readonly [Stage, string][] = [
  ['encoder', 'SAM2.1-tiny encoder, 1024²'],
  ['dino', 'DINOv2 ViT-S/14 (random weights), 518²'],
  ['decoder', `SAM2.1-tiny decoder, one run of ${PROMPTS} prompts`],
];

function markdown(browser: string, results: readonly ModeResult[], load: [number, number]): string {
  const open = (r: ModeResult) => r.open.encoder + r.open.decoder + r.open.dino;
  const wall = (xs: readonly number[]) => `${s(median(xs))} (min ${s(Math.min(...xs))})`;
  const head = results.flatMap((r) => [`${r.mode}, ${r.threads} thr.: wall, median (min)`, 'CPU, median']);
  const lines = [
    `Chromium ${browser}, onnxruntime-web 1.30; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after.`,
    '',
    `| stage | ${head.join(' | ')} |`,
    `|---|${head.map(() => '---|').join('')}`,
    `| open: fetch + create SAM2 encoder, decoder, DINOv2 | ${results.flatMap((r) => [s(open(r)), s(r.cpu.open[0])]).join(' | ')} |`,
    ...STAGES.map(([stage, what]) => `| ${what} | ${results.flatMap((r) => [wall(r[stage]), s(median(r.cpu[stage]))]).join(' | ')} |`),
    `| … per prompt | ${results.flatMap((r) => [`${(median(r.decoder) / PROMPTS).toFixed(0)} ms`, `${(median(r.cpu.decoder) / PROMPTS).toFixed(0)} ms`]).join(' | ')} |`,
    '',
    `| preset | prompts | decoder runs | ${results.flatMap((r) => [`one image, ${r.mode}: wall, median (min)`, 'CPU']).join(' | ')} |`,
    `|---|---|---|${results.flatMap(() => ['---|', '---|']).join('')}`,
    ...ProposalPresetSchema.options
      .filter((p) => p !== 'sam2-amg')
      .map((p) => {
        const n = promptsOf(p);
        const cells = results.flatMap((r) => [`${s(imageMs(r, n, median))} (${s(imageMs(r, n, (xs) => Math.min(...xs)))})`, s(imageMs(r.cpu, n, median))]);
        return `| ${p} | ${n} | ${Math.ceil(n / PROMPTS)} | ${cells.join(' | ')} |`;
      }),
  ];
  return lines.join('\n');
}

const bench: Bench = {
  name: 'chromium',
  async run() {
    const before = loadavg()[0];
    const { browser, results } = await measureStages({ prompts: PROMPTS, runs: RUNS }, undefined, (line) => console.log(`chromium: ${line}`));
    const after = loadavg()[0];
    const rows: BenchRow[] = [];
    for (const r of results) {
      const add = (what: string, times: readonly number[], cpu: readonly number[], note?: string) =>
        rows.push({ bench: 'chromium', what: `${r.mode}: ${what}`, medianMs: median(times), minMs: Math.min(...times), cpuMs: cpu.length > 0 ? median(cpu) : Number.NaN, runs: times.length, note });
      const isolation = `crossOriginIsolated ${r.crossOriginIsolated}, ${r.threads} of ${r.hardwareConcurrency} threads`;
      add('open SAM2 encoder (incl. WASM start)', [r.open.encoder], [], isolation);
      add('open SAM2 decoder', [r.open.decoder], []);
      add('open DINOv2', [r.open.dino], []);
      add('open all three', [r.open.encoder + r.open.decoder + r.open.dino], r.cpu.open);
      add('SAM2.1-tiny encoder, 1024²', r.encoder, r.cpu.encoder);
      add('DINOv2 ViT-S/14 random weights, 518²', r.dino, r.cpu.dino);
      add(`SAM2.1-tiny decoder, ${PROMPTS} prompts`, r.decoder, r.cpu.decoder, `${(median(r.decoder) / PROMPTS).toFixed(0)} ms/prompt`);
      for (const p of ProposalPresetSchema.options.filter((x) => x !== 'sam2-amg')) {
        const n = promptsOf(p);
        rows.push({ bench: 'chromium', what: `${r.mode}: one image, ${p} (${n} prompts)`, medianMs: imageMs(r, n, median), minMs: imageMs(r, n, (xs) => Math.min(...xs)), cpuMs: imageMs(r.cpu, n, median), runs: r.decoder.length, note: 'encoder + DINOv2 + decoder runs' });
      }
    }
    console.log(`\n${markdown(browser, results, [before, after])}\n`);
    return rows;
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
