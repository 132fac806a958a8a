// Serves the on-device engine to headless Chromium the way the web app ships it: the page script
// (engine-entry.ts, with the engine's build info), the model worker asset, onnxruntime-web's WASM
// and model folders written by gpu-node/model-store/device-models.ts, the page under the web
// app's Content-Security-Policy. `isolated`: COOP/COEP headers, so the page may use WASM threads.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webCsp } from '../../edge/routes/web.ts';
import { writeDeviceModels } from '../../gpu-node/model-store/device-models.ts';
import { buildDeviceWorkers, DEVICE_WORKERS, deviceDefine, ortWebVersion } from '../../web/build.ts';
import { bundleForBrowser } from '../browser/bundle.ts';
import { launchChromium, type RunningChromium } from '../browser/chromium.ts';
import { startPageServer } from '../browser/page-server.ts';
import type { DeviceRun } from './engine-entry.ts';

const ORT_DIST = join(import.meta.dirname, '..', '..', 'node_modules', 'onnxruntime-web', 'dist');

export interface DeviceBrowser {
  /** Writes a served model folder `name` from a SAM2 folder and a DINOv2 file; returns its path. */
  addModels(name: string, sam2Dir: string, dinoPath: string, outDir: string): Promise<string>;
  /** One engine in a fresh page: opens the models of `name`, makes the set of each image. */
  run(name: string, options: { images: string[]; grid: number; threads?: number; isolated?: boolean }): Promise<DeviceRun>;
  close(): Promise<void>;
}

export async function startDeviceBrowser(images: Record<string, Uint8Array>): Promise<DeviceBrowser> {
  const [workers, version] = await Promise.all([buildDeviceWorkers(), ortWebVersion()]);
  const entry = await bundleForBrowser(join(import.meta.dirname, 'engine-entry.ts'), deviceDefine(workers, version));
  const js = 'text/javascript; charset=utf-8';
  const files = new Map<string, { type: string; body: string | Uint8Array }>([
    ['/', { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>device engine</title><script type="module" src="entry.js"></script>' }],
    ['/entry.js', { type: js, body: entry.code }],
    [`/${workers.wasm.name}`, { type: js, body: workers.wasm.body }],
    ...Object.entries(images).map(([name, body]) => [`/${name}`, { type: 'image/png', body }] as const),
  ]);
  const folders = new Map<string, string>();
  const handler = async (path: string): Promise<Response> => {
    const fixed = files.get(path);
    // The page runs under the web app's own Content-Security-Policy.
    if (fixed) return new Response(fixed.body as BodyInit, { headers: { 'Content-Type': fixed.type, ...(path === '/' ? { 'Content-Security-Policy': webCsp() } : {}) } });
    const ort = /^\/ort\/([a-z.-]+\.wasm)$/.exec(path);
    if (ort && ort[1] === DEVICE_WORKERS.wasm.binary) return new Response(new Uint8Array(await readFile(join(ORT_DIST, ort[1]))), { headers: { 'Content-Type': 'application/wasm' } });
    const model = /^\/models\/([a-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(path);
    const folder = model && folders.get(model[1]);
    const body = folder ? await readFile(join(folder, model![2])).catch(() => null) : null;
    return body ? new Response(new Uint8Array(body), { headers: { 'Content-Type': 'application/octet-stream' } }) : new Response('not found', { status: 404 });
  };
  // Same files on two prefixes: /plain/ as the web app is served today, /isolated/ with COOP/COEP.
  const server = await startPageServer({}, async (request) => {
    const m = /^\/(plain|isolated)(\/.*)$/.exec(new URL(request.url).pathname);
    if (!m) return new Response('not found', { status: 404 });
    const res = await handler(m[2]);
    if (m[1] === 'isolated') {
      res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      res.headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    return res;
  });
  const chromium: RunningChromium = await launchChromium();
  return {
    async addModels(name, sam2Dir, dinoPath, outDir) {
      await writeDeviceModels({ sam2Dir, dinoPath, outDir });
      folders.set(name, outDir);
      return outDir;
    },
    async run(name, options) {
      const page = await chromium.context.newPage();
      try {
        await page.goto(`${server.url}/${options.isolated ? 'isolated' : 'plain'}/`);
        await page.waitForFunction(() => 'refsegDevice' in globalThis);
        return await page.evaluate((o) => (globalThis as unknown as { refsegDevice(o: unknown): Promise<DeviceRun> }).refsegDevice(o), {
          modelsUrl: `models/${name}/`,
          wasmUrl: 'ort/',
          images: options.images,
          grid: options.grid,
          threads: options.threads,
        });
      } finally {
        await page.close();
      }
    },
    async close() {
      await chromium.close();
      await server.close();
    },
  };
}
