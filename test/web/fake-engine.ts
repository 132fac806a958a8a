// A test double of web/src/device/engine.ts for the page's on-device mode, bundled in its place by
// buildPage({ deviceEngine }) (test/web/device-harness.ts). It downloads the files of the models
// folder as the engine does (manifest, then each file, streamed, with progress and abort), and its
// candidate sets are the Node pipeline's: the image goes to the test server's
// /test/device-candidates, which asks the stand-in gpu-node. So the page's part (switch, progress,
// local matching, candidate-set upload) is tested against real candidate sets while the browser
// engine is built elsewhere.
import { decodeCandidateSet } from '../../shared/wire/index.ts';
import { DEVICE_GRIDS, DeviceEngineError } from '../../web/src/device/engine.ts';
import { parseManifest } from '../../web/src/device/manifest.ts';
import type { DeviceCandidatesOptions, DeviceEngine, DeviceEngineOptions } from '../../web/src/device/engine.ts';

export { DEVICE_GRIDS, DeviceEngineError };

export const FAKE_CANDIDATES_PATH = '/test/device-candidates';
/** The stand-in models' id and dimension (the real engine reads them from the models). */
export const FAKE_INFO_PATH = '/test/device-info';
const WASM_FILE = 'ort-wasm-simd-threaded.wasm';

export async function openDeviceEngine(options: DeviceEngineOptions): Promise<DeviceEngine> {
  const started = performance.now();
  const manifest = parseManifest(await (await fetch(`${options.modelsUrl}manifest.json`, { signal: options.signal })).text());
  const models = [manifest.encoder, manifest.decoder, manifest.dino].flatMap((g) => [g, ...g.data]);
  const files = [
    { kind: 'runtime' as const, url: `${options.wasmUrl}${WASM_FILE}`, name: WASM_FILE },
    ...models.map((f) => ({ kind: 'model' as const, url: new URL(f.file, options.modelsUrl).href, name: f.file })),
  ];
  const overall = { loaded: 0, total: models.reduce((t, f) => t + f.bytes!, 0) as number | null };
  for (const f of files) {
    const res = await fetch(f.url, { signal: options.signal });
    if (!res.ok || !res.body) throw new DeviceEngineError(`${f.name}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length')) || null;
    if (f.kind === 'runtime' && overall.total !== null && total !== null) overall.total += total;
    let loaded = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.byteLength;
      overall.loaded += value.byteLength;
      options.onProgress?.({ kind: f.kind, file: f.name, loaded, total, cached: false, overall: { ...overall } });
    }
  }
  const base = new URL(options.modelsUrl);
  const { modelId, dim } = (await (await fetch(new URL(FAKE_INFO_PATH, base.origin))).json()) as { modelId: string; dim: number };
  return {
    info: { modelId, provider: 'wasm', threads: 1, dim, standin: true, openMs: performance.now() - started },
    async candidates(file: Blob, opts: DeviceCandidatesOptions) {
      const t0 = performance.now();
      const res = await fetch(new URL(`${FAKE_CANDIDATES_PATH}?grid=${opts.pointsPerSide ?? 32}`, base.origin), { method: 'POST', body: file, headers: { 'Content-Type': file.type } });
      if (!res.ok) throw new DeviceEngineError(`fake engine: ${res.status} ${await res.text()}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const set = decodeCandidateSet(bytes);
      const totalMs = performance.now() - t0;
      return { set: bytes, width: set.width, height: set.height, imageSha256: set.imageSha256, modelId: set.modelId, pipelineId: set.pipelineId, count: set.candidates.length, stages: {}, totalMs };
    },
    close() {},
  };
}
