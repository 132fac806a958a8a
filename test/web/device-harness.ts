// The web stack for the page's on-device mode with the fake engine (test/web/fake-engine.ts): an
// intercept for startWebStack's proxy that serves the page built with the fake engine, a models
// folder (manifest + files of given sizes, streamed in small chunks so progress shows, and
// holdable mid-file to test cancel), onnxruntime-web's WASM file, and the fake engine's channel
// to the Node pipeline (the stand-in gpu-node's POST /v1/candidates).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { webCsp } from '../../edge/routes/web.ts';
import { buildPage } from '../../web/build.ts';
import type { BuiltPage } from '../../web/build.ts';
import type { Page } from 'playwright-core';
import { createRefsegClient } from '../../shared/client/index.ts';
import type { RefsegClient } from '../../shared/client/index.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { ADMIN_KEY } from './harness.ts';
import type { WebStack } from './harness.ts';
import { openTab, signInWith } from './page.ts';
import type { DeviceModelsManifest } from '../../shared/device-models.ts';
import { FAKE_CANDIDATES_PATH, FAKE_INFO_PATH } from './fake-engine.ts';

export const FAKE_MODEL_FILES = [
  { name: 'sam2.1_hiera_tiny.encoder.onnx', bytes: 3_000_000 },
  { name: 'sam2.1_hiera_tiny.decoder.onnx', bytes: 1_000_000 },
  { name: 'dinov2_vits14.onnx', bytes: 2_000_000 },
] as const;
export const FAKE_WASM_BYTES = 1_500_000;
const CHUNK = 64 * 1024;

export interface FakeDevice {
  intercept(request: Request): Promise<Response | null>;
  /** The next model download stops halfway through its first model file until release(). */
  hold(): void;
  release(): void;
  /** Path of every request the intercept answered or saw, in order. */
  seen: string[];
  /** Candidate sets made for the page (the fake engine's "on-device" work). */
  setsMade: number;
}

/** The page as the edge serves it (edge/routes/web.ts: CSP on the page, assets by hashed name). */
function servePage(page: BuiltPage, request: Request): Response | null {
  const path = new URL(request.url).pathname;
  if (request.method !== 'GET') return null;
  if (path === '/') return new Response(page.html, { headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Security-Policy': webCsp(), 'Cache-Control': 'no-cache' } });
  const asset = page.assets[path.slice(1)];
  return asset ? new Response(asset.body, { headers: { 'Content-Type': asset.type } }) : null;
}

export async function fakeDevice(gpu: StandinGpuNode): Promise<FakeDevice> {
  const page = await buildPage({ deviceEngine: resolve(import.meta.dirname, 'fake-engine.ts') });
  const info = (await (await fetch(`${gpu.url}/v1/info`, { headers: { Authorization: `Bearer ${gpu.secret}` } })).json()) as { dim: number };
  const sets = new Map<string, Uint8Array<ArrayBuffer>>();
  let held: { promise: Promise<void>; release(): void } | null = null;

  const stream = (bytes: number, holdAt: number | null) => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (holdAt !== null && sent >= holdAt && held) await held.promise;
        const n = Math.min(CHUNK, bytes - sent);
        if (n <= 0) return controller.close();
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(sent % 251));
        await new Promise((r) => setTimeout(r, 2));
      },
    });
  };
  const file = (bytes: number, head: boolean, holdAt: number | null = null) =>
    new Response(head ? null : stream(bytes, holdAt), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) } });

  const device: FakeDevice = {
    seen: [],
    setsMade: 0,
    hold() {
      let release = () => {};
      const promise = new Promise<void>((r) => (release = r));
      held = { promise, release };
    },
    release() {
      held?.release();
      held = null;
    },
    async intercept(request) {
      const url = new URL(request.url);
      const path = url.pathname;
      device.seen.push(`${request.method} ${path}`);
      const head = request.method === 'HEAD';
      const served = servePage(page, request);
      if (served) return served;
      if (path === '/device/config') return Response.json({ modelsUrl: 'device/models/', wasmUrl: 'device/ort/' });
      if (path === '/device/models/manifest.json') {
        const [encoder, decoder, dino] = FAKE_MODEL_FILES.map((m) => ({ file: m.name, bytes: m.bytes, sha256: null, data: [] }));
        return Response.json({ format: 'refseg-device-models/1', encoder, decoder, dino } satisfies DeviceModelsManifest);
      }
      if (path === FAKE_INFO_PATH) return Response.json({ modelId: gpu.modelId, dim: info.dim });
      const model = FAKE_MODEL_FILES.find((f) => path === `/device/models/${f.name}`);
      if (model) return file(model.bytes, head, model === FAKE_MODEL_FILES[0] ? model.bytes / 2 : null);
      if (path === '/device/ort/ort-wasm-simd-threaded.wasm') return file(FAKE_WASM_BYTES, head);
      if (path === FAKE_CANDIDATES_PATH && request.method === 'POST') {
        if (url.searchParams.get('grid') !== '32') return new Response('the stand-in gpu-node runs the 32×32 grid only', { status: 422 });
        device.setsMade++;
        const image = new Uint8Array(await request.arrayBuffer());
        const key = createHash('sha256').update(image).digest('hex');
        // The stand-in pipeline takes seconds per image on a loaded machine: a second page reuses the set.
        let set = sets.get(key);
        if (!set) {
          const res = await fetch(`${gpu.url}/v1/candidates?exif=apply&preset=official`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${gpu.secret}`, 'Content-Type': request.headers.get('content-type') ?? 'image/png' },
            body: image,
          });
          if (!res.ok) return new Response(res.body, { status: res.status, headers: res.headers });
          set = new Uint8Array(await res.arrayBuffer());
          sets.set(key, set);
        }
        return new Response(set, { headers: { 'Content-Type': 'application/octet-stream' } });
      }
      return null;
    },
  };
  return device;
}

/** A tenant of the stack with a bank "shapes" (red, blue, green) and references of the test scene. */
export async function shapesBank(stack: WebStack, scenes: TestScenes, tenant: string, negative: boolean): Promise<{ key: string; client: RefsegClient; bankId: string }> {
  const res = await fetch(`${stack.edgeUrl}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant }) });
  const key = ((await res.json()) as { secret: string }).secret;
  const client = createRefsegClient({ baseUrl: stack.edgeUrl, apiKey: key });
  const bankId = (await client.createBank({ name: 'shapes', classes: ['red', 'blue', 'green'] })).id;
  await client.addReferences(bankId, new Blob([Buffer.from(scenes.reference.bytes)], { type: 'image/png' }), [
    { className: 'red', mask: scenes.reference.masks[0] },
    { className: 'blue', mask: scenes.reference.masks[1] },
    // A negative, so the local path's negative damping is compared with the edge's too.
    ...(negative ? [{ className: 'blue', mask: scenes.reference.masks[0], negative: true }] : []),
  ]);
  return { key, client, bankId };
}

/** The bank "shapes" open on its Segment tab (signed in first when a key is given). */
export async function openShapesSegment(page: Page, key?: string): Promise<void> {
  if (key) await signInWith(page, key);
  await page.getByRole('button', { name: /^shapes/ }).click();
  await openTab(page, 'Segment');
}
