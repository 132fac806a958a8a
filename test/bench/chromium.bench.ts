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
function imageMs(r: ModeResult, prompts: number, pick: (xs: readonly number[]) => number): number {
  return pick(r.encoder) + pick(r.dino) + Math.ceil(prompts / PROMPTS) * pick(r.decoder);
}

function markdown(browser: string, results: readonly ModeResult[], load: [number, number]): string {
  const [single, threaded] = results;
  const open = (r: ModeResult) => r.open.encoder + r.open.decoder + r.open.dino;
  const cell = (xs: readonly number[]) => `${s(median(xs))} (min ${s(Math.min(...xs))})`;
  const rows: [string, (r: ModeResult) => string, (r: ModeResult) => number][] = [
    ['open: fetch + create SAM2 encoder, decoder, DINOv2', (r) => s(open(r)), open],
    ['SAM2.1-tiny encoder, 1024²', (r) => cell(r.encoder), (r) => Math.min(...r.encoder)],
    ['DINOv2 ViT-S/14 (random weights), 518²', (r) => cell(r.dino), (r) => Math.min(...r.dino)],
    [`SAM2.1-tiny decoder, one run of ${PROMPTS} prompts`, (r) => cell(r.decoder), (r) => Math.min(...r.decoder)],
    ['… per prompt', (r) => `${(median(r.decoder) / PROMPTS).toFixed(0)} ms`, (r) => Math.min(...r.decoder)],
  ];
  const lines = [
    `Chromium ${browser}, onnxruntime-web ${process.env.npm_package_dependencies_onnxruntime_web ?? '1.30'}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after.`,
    '',
    `| stage | ${results.map((r) => `${r.mode} (${r.threads} thr.)`).join(' | ')} | 1 thread / threads (min) |`,
    `|---|${results.map(() => '---|').join('')}---|`,
    ...rows.map(([what, fmt, min]) => `| ${what} | ${results.map(fmt).join(' | ')} | ${threaded ? `${(min(single) / min(threaded)).toFixed(2)}×` : ''} |`),
    '',
    `| preset | prompts | decoder runs | ${results.map((r) => `one image, ${r.mode} (median; min)`).join(' | ')} |`,
    `|---|---|---|${results.map(() => '---|').join('')}`,
    ...ProposalPresetSchema.options
      .filter((p) => p !== 'sam2-amg')
      .map((p) => {
        const n = promptsOf(p);
        return `| ${p} | ${n} | ${Math.ceil(n / PROMPTS)} | ${results.map((r) => `${s(imageMs(r, n, median))}; ${s(imageMs(r, n, (xs) => Math.min(...xs)))}`).join(' | ')} |`;
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
      const add = (what: string, times: readonly number[], note?: string) =>
        rows.push({ bench: 'chromium', what: `${r.mode}: ${what}`, medianMs: median(times), minMs: Math.min(...times), cpuMs: Number.NaN, runs: times.length, note });
      const isolation = `crossOriginIsolated ${r.crossOriginIsolated}, ${r.threads} of ${r.hardwareConcurrency} threads`;
      add('open SAM2 encoder (incl. WASM start)', [r.open.encoder], isolation);
      add('open SAM2 decoder', [r.open.decoder]);
      add('open DINOv2', [r.open.dino]);
      add('SAM2.1-tiny encoder, 1024²', r.encoder);
      add('DINOv2 ViT-S/14 random weights, 518²', r.dino);
      add(`SAM2.1-tiny decoder, ${PROMPTS} prompts`, r.decoder, `${(median(r.decoder) / PROMPTS).toFixed(0)} ms/prompt`);
      for (const p of ProposalPresetSchema.options.filter((x) => x !== 'sam2-amg')) {
        const n = promptsOf(p);
        rows.push({ bench: 'chromium', what: `${r.mode}: one image, ${p} (${n} prompts)`, medianMs: imageMs(r, n, median), minMs: imageMs(r, n, (xs) => Math.min(...xs)), cpuMs: Number.NaN, runs: r.decoder.length, note: 'encoder + DINOv2 + decoder runs' });
      }
    }
    console.log(`\n${markdown(browser, results, [before, after])}\n`);
    return rows;
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
