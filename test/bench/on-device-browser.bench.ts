// The on-device engine's stages in headless Chromium (web/device/worker.ts on onnxruntime-web
// WASM), on the weightless real SAM2.1 hiera-tiny graphs (refilled) and a random-weight ViT-S/14
// at 518² (DINOv2-small's arithmetic): one thread as the web app is served today, and
// REFSEG_BENCH_THREADS (default 2) threads on a cross-origin isolated page. Each row is one image
// after a first, uncounted one (the sessions' warm-up). Takes a few minutes.
//   npx tsx test/bench/on-device-browser.bench.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { targetScene } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { startDeviceBrowser } from '../on-device/browser-harness.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { vitS14 } from './vit-s14.ts';

const THREADS = Number(process.env.REFSEG_BENCH_THREADS ?? 2);
/** 16×16 = 256 prompts: the on-device "balanced" grid (DEVICE_GRIDS). */
const GRID = Number(process.env.REFSEG_BENCH_GRID ?? 16);

const bench: Bench = {
  name: 'on-device-browser',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-device-browser-'));
    const scene = targetScene();
    const png = new Uint8Array(await sharp(scene.data, { raw: { width: scene.width, height: scene.height, channels: 3 } }).png().toBuffer());
    const browser = await startDeviceBrowser({ 'target.png': png });
    const rows: BenchRow[] = [];
    try {
      const dinoPath = join(dir, 'vits14.onnx');
      await writeFile(dinoPath, vitS14().model);
      await browser.addModels('real', filledModelDir(join(dir, 'sam2')), dinoPath, join(dir, 'served'));
      for (const [label, threads, isolated] of [['1 thread (page not isolated)', 1, false], [`${THREADS} threads (cross-origin isolated)`, THREADS, true]] as const) {
        const r = await browser.run('real', { images: ['target.png', 'target.png'], grid: GRID, threads, isolated });
        if (r.info.threads !== threads) throw new Error(`asked for ${threads} threads, the engine runs ${r.info.threads}`);
        const row = (what: string, ms: number, note?: string) => rows.push({ bench: 'on-device-browser', what: `${label}: ${what}`, medianMs: ms, minMs: ms, cpuMs: Number.NaN, runs: 1, ...(note ? { note } : {}) });
        row('open in the worker (patch + load the sessions)', r.info.openMs);
        const measured = r.images[1];
        for (const [stage, ms] of Object.entries(measured.stages)) row(stage, ms, stage === 'sam2-decoder' ? `${GRID * GRID} prompts` : undefined);
        row('whole image', measured.totalMs, `${scene.width}×${scene.height}, load average ${loadavg()[0].toFixed(1)}`);
      }
      return rows;
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
