// The model stages on onnxruntime-web WASM in headless Chromium: what a browser's "on this device"
// mode pays. Node prepares exactly what the gpu-node would run (the weightless real SAM2.1-tiny
// graphs refilled and patched by refseg's own load-time patches, a random-weight ViT-S/14 at 518²,
// the target scene's preprocessed inputs, the decoder's prompt feeds from sam2-layout.ts) and
// serves the bytes; a module Web Worker (where the product runs its models) opens the sessions
// and times each stage. Threads need SharedArrayBuffer, so the threaded run is served
// cross-origin isolated (COOP same-origin + COEP require-corp) and the page reports
// `crossOriginIsolated`.
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decoderSource } from '../../gpu-node/models/decoder-clip.ts';
import { imageOnceSource } from '../../gpu-node/models/decoder-image-once.ts';
import { patchedEncoderSource } from '../../gpu-node/models/no-mem-embed.ts';
import { LAYOUTS, ZeroMasks, levelTensors, pointFeeds } from '../../gpu-node/models/sam2-layout.ts';
import type { ModelSource } from '../../gpu-node/models/backend.ts';
import { targetInputs } from '../../gpu-node/preprocess/index.ts';
import { targetScene } from '../../gpu-node/standin/samples.ts';
import { launchChromium } from '../browser/chromium.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { vitS14 } from './vit-s14.ts';

const ORT_DIST = join(import.meta.dirname, '..', '..', 'node_modules', 'onnxruntime-web', 'dist');
const SPEC = LAYOUTS.samexporter;

export interface StageOptions {
  /** Prompts per decoder run: the pipeline's (openModels' maxPromptBatch default, 64). */
  prompts: number;
  /** Timed runs after one warm-up run, per stage. */
  runs: number;
}

export interface ModeResult {
  mode: string;
  crossOriginIsolated: boolean;
  threads: number;
  hardwareConcurrency: number;
  /** ms of fetch + InferenceSession.create per model, in this order; the first includes starting the WASM runtime. */
  open: { encoder: number; decoder: number; dino: number };
  /** Every timed run, ms. */
  encoder: number[];
  dino: number[];
  decoder: number[];
  /**
   * CPU time (user + system, all of Chromium's processes) of each timed run, ms; `open` is the
   * three models together. On a shared machine this, not the wall time, says what the work costs.
   */
  cpu: { open: number[]; encoder: number[]; dino: number[]; decoder: number[] };
  userAgent: string;
}

interface Asset {
  type: string;
  body: Uint8Array;
}

async function bytesOf(src: ModelSource): Promise<Uint8Array> {
  if (src.externalData?.length) throw new Error('the bench serves single-file graphs; this one has external data');
  return typeof src.model === 'string' ? new Uint8Array(await readFile(src.model)) : src.model;
}

/** The graphs exactly as Sam2Runner.open hands them to onnxruntime (samexporter layout). */
async function patchedGraphs(dir: string): Promise<{ encoder: Uint8Array; decoder: Uint8Array }> {
  const sam2Dir = filledModelDir(join(dir, 'sam2'));
  const encoderPath = join(sam2Dir, 'encoder.onnx');
  const decoderPath = join(sam2Dir, 'decoder.onnx');
  const unclipped = await decoderSource(decoderPath, true);
  const once = await imageOnceSource(unclipped.source, decoderPath);
  if (unclipped.maskClip !== 'removed' || once.imageOnce !== 'applied') throw new Error(`decoder patches not applied: clip ${unclipped.maskClip}, image-once ${once.imageOnce}`);
  const encoder = await patchedEncoderSource(encoderPath, () => SPEC.levels[2]);
  try {
    return { encoder: await bytesOf(encoder.source), decoder: await bytesOf(once.source) };
  } finally {
    await encoder.cleanup();
  }
}

/** Prompt feeds of one decoder run from the product's pointFeeds; the level feeds come from the encoder in the page. */
function promptFeeds(prompts: number): { meta: { name: string; type: string; dims: readonly number[]; offset: number; length: number }[]; data: Uint8Array } {
  const side = Math.ceil(Math.sqrt(prompts));
  const points = new Float32Array(prompts * 2);
  for (let i = 0; i < prompts; i++) {
    points[i * 2] = ((i % side) + 0.5) * (1024 / side);
    points[i * 2 + 1] = (Math.floor(i / side) + 0.5) * (1024 / side);
  }
  const levels = levelTensors([new Float32Array(32 * 256 * 256), new Float32Array(64 * 128 * 128), new Float32Array(256 * 64 * 64)]);
  const feeds = pointFeeds(SPEC, levels, points, new Int32Array(prompts).fill(1), 0, prompts, new ZeroMasks());
  const parts: Uint8Array[] = [];
  const meta = [];
  let offset = 0;
  for (const [name, t] of Object.entries(feeds)) {
    if (SPEC.levels.includes(name)) continue;
    if (t.type !== 'float32') throw new Error(`unexpected ${t.type} feed ${name}`);
    const data = t.data as Float32Array;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    meta.push({ name, type: t.type, dims: t.dims, offset, length: data.length });
    offset += data.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { meta, data };
}

const f32Bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

// Runs in a module Web Worker: fetch + create each session, then warm-up + timed runs per stage.
const WORKER = `
import * as ort from '/ort/ort.wasm.min.mjs';
const bytes = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer());
const floats = async (u) => new Float32Array((await bytes(u)).buffer);
// A mark goes to Node (through the page), which reads Chromium's CPU time, and waits for it.
let acked;
const mark = (what) => new Promise((resolve) => { acked = resolve; self.postMessage({ mark: what }); });
self.onmessage = async ({ data }) => {
  if (data.ack) return acked();
  const { threads, runs, levels } = data;
  try {
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
    const open = {};
    const sessions = {};
    for (const name of ['encoder', 'decoder', 'dino']) {
      await mark('open:start');
      const t0 = performance.now();
      sessions[name] = await ort.InferenceSession.create(await bytes('/m/' + name + '.onnx'), opts);
      open[name] = performance.now() - t0;
      await mark('open:end');
    }
    const sam = new ort.Tensor('float32', await floats('/in/sam.bin'), [1, 3, 1024, 1024]);
    const dinoIn = new ort.Tensor('float32', await floats('/in/dino.bin'), [1, 3, 518, 518]);
    const meta = await (await fetch('/in/feeds.json')).json();
    const raw = await bytes('/in/feeds.bin');
    const timed = async (stage, fn) => {
      await fn();
      const out = [];
      for (let r = 0; r < runs; r++) {
        await mark(stage + ':start');
        const t0 = performance.now();
        await fn();
        out.push(performance.now() - t0);
        await mark(stage + ':end');
      }
      return out;
    };
    const encoder = await timed('encoder', () => sessions.encoder.run({ image: sam }));
    const emb = await sessions.encoder.run({ image: sam });
    const feeds = {};
    for (const name of levels) feeds[name] = emb[name];
    for (const m of meta) feeds[m.name] = new ort.Tensor(m.type, new Float32Array(raw.buffer, m.offset, m.length), m.dims);
    const decoder = await timed('decoder', () => sessions.decoder.run(feeds));
    const dino = await timed('dino', () => sessions.dino.run({ pixel_values: dinoIn }));
    self.postMessage({ ok: true, open, encoder, decoder, dino, threads: ort.env.wasm.numThreads });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err && err.stack || err) });
  }
};
`;

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>refseg chromium bench</title><script type="module">
const params = new URLSearchParams(location.search);
const worker = new Worker('/worker.js', { type: 'module' });
worker.onerror = (e) => { window.result = { ok: false, error: 'worker error: ' + e.message }; };
worker.onmessage = async ({ data }) => {
  if (data.mark) {
    await window.refsegMark(data.mark);
    worker.postMessage({ ack: true });
    return;
  }
  window.result = { ...data, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent };
};
const threads = params.get('threads') === 'all' ? navigator.hardwareConcurrency : Number(params.get('threads'));
worker.postMessage({ threads, runs: Number(params.get('runs')), levels: JSON.parse(params.get('levels')) });
</script>`;

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

async function serve(assets: Map<string, Asset>, isolated: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const asset = assets.get(path);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (!asset) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': String(asset.body.length) }).end(asset.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function assetsFor(dir: string, prompts: number): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const file of await readdir(ORT_DIST)) {
    const ext = file.slice(file.lastIndexOf('.'));
    if (TYPES[ext] && (file.startsWith('ort.wasm') || file.startsWith('ort-wasm-simd-threaded.'))) {
      assets.set(`/ort/${file}`, { type: TYPES[ext], body: new Uint8Array(await readFile(join(ORT_DIST, file))) });
    }
  }
  const graphs = await patchedGraphs(dir);
  const octet = (body: Uint8Array): Asset => ({ type: 'application/octet-stream', body });
  assets.set('/m/encoder.onnx', octet(graphs.encoder));
  assets.set('/m/decoder.onnx', octet(graphs.decoder));
  assets.set('/m/dino.onnx', octet(vitS14().model));
  const inputs = targetInputs(targetScene());
  assets.set('/in/sam.bin', octet(f32Bytes(inputs.sam)));
  assets.set('/in/dino.bin', octet(f32Bytes(inputs.dino)));
  const feeds = promptFeeds(prompts);
  assets.set('/in/feeds.json', { type: 'application/json', body: new TextEncoder().encode(JSON.stringify(feeds.meta)) });
  assets.set('/in/feeds.bin', octet(feeds.data));
  assets.set('/worker.js', { type: 'text/javascript', body: new TextEncoder().encode(WORKER) });
  assets.set('/', { type: 'text/html; charset=utf-8', body: new TextEncoder().encode(PAGE) });
  return assets;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time so far of each process descended from this one (Chromium's browser, renderer, GPU and
 * utility processes; /proc counts each process's threads in it), ms by pid. Empty without /proc.
 */
function descendantsCpu(): Map<number, number> {
  const procs: { pid: number; ppid: number; ms: number }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    // Not Linux: no CPU figures.
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state ppid … utime (12th) stime (13th).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(pid), ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const mine = new Map<number, number>([[process.pid, 0]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.set(p.pid, p.ms);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  return mine;
}

/** CPU ms spent since `start` by the processes alive now (a page closed meanwhile does not count against it). */
function cpuSince(start: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of descendantsCpu()) ms += Math.max(0, now - (start.get(pid) ?? 0));
  return ms;
}

export interface Mode {
  name: string;
  isolated: boolean;
  /** A count, or 'all' for navigator.hardwareConcurrency. */
  threads: number | 'all';
}

export const MODES: readonly Mode[] = [
  { name: 'WASM, 1 thread', isolated: false, threads: 1 },
  { name: 'WASM, threads (cross-origin isolated)', isolated: true, threads: 'all' },
];

/** Each mode in a fresh page (onnxruntime-web's thread count is fixed once its WASM has started). */
export async function measureStages(options: StageOptions, modes: readonly Mode[] = MODES, log: (line: string) => void = () => {}): Promise<{ browser: string; results: ModeResult[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-chromium-'));
  const chromium = await launchChromium();
  try {
    const assets = await assetsFor(dir, options.prompts);
    const results: ModeResult[] = [];
    for (const mode of modes) {
      const server = await serve(assets, mode.isolated);
      const page = await chromium.context.newPage();
      page.on('console', (m) => log(`page: ${m.text()}`));
      try {
        const cpu: ModeResult['cpu'] = { open: [], encoder: [], dino: [], decoder: [] };
        let started = new Map<number, number>();
        await page.exposeFunction('refsegMark', (what: string) => {
          const [stage, edge] = what.split(':') as [keyof ModeResult['cpu'], 'start' | 'end'];
          if (edge === 'start') started = descendantsCpu();
          else cpu[stage].push(cpuSince(started));
        });
        const q = new URLSearchParams({ threads: String(mode.threads), runs: String(options.runs), levels: JSON.stringify(SPEC.levels) });
        await page.goto(`${server.url}/?${q}`);
        await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60 * 60_000, polling: 1000 });
        const r = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as (Omit<ModeResult, 'mode'> & { ok: true }) | { ok: false; error: string };
        if (!r.ok) throw new Error(`${mode.name}: ${r.error}`);
        const { ok: _ok, ...rest } = r;
        results.push({ mode: mode.name, ...rest, cpu: { ...cpu, open: [cpu.open.reduce((a, b) => a + b, 0)] } });
        log(`${mode.name}: done`);
      } finally {
        await page.close();
        await server.close();
      }
    }
    return { browser: chromium.context.browser()?.version() ?? 'unknown', results };
  } finally {
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
}
