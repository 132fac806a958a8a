// edge/routes/device.ts on the in-process edge app: where the on-device engine finds its files,
// the models folder served through its manifest only, onnxruntime-web's binaries, and the page's
// CSP naming configured origins.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { deviceFilesOnDisk } from '../../edge/device/files.node.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import { writeDeviceModels } from '../../gpu-node/model-store/device-models.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { DeviceModelsManifestSchema } from '../../shared/device-models.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';

let dir: string;
let served: string;
const BASE = { REFSEG_GPU_NODES: 'http://127.0.0.1:9', REFSEG_GPU_SECRET: 'secret-0123456789', REFSEG_LOG: 'off' };

function edge(env: Record<string, string> = {}, modelsDir?: string) {
  const config = configFromEnv({ ...BASE, ...env });
  const { app } = createEdgeApp({ storage: createMemoryStorage(), gpu: gpuPoolFromConfig(config), config, deviceFiles: deviceFilesOnDisk(modelsDir) });
  return (path: string) => app.fetch(new Request(`http://edge.test${path}`));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-device-routes-'));
  const paths = await generateStandins(join(dir, 'standins'));
  served = join(dir, 'served');
  await writeDeviceModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, outDir: served });
  await writeFile(join(served, 'secret.txt'), 'not a model');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the on-device routes', () => {
  it('GET /device/config: this edge\'s folders, configured URLs first, null when nothing is set up', async () => {
    expect(await (await edge({}, served)('/device/config')).json()).toEqual({ modelsUrl: 'device/models/', wasmUrl: 'device/ort/' });
    expect(await (await edge({})('/device/config')).json()).toEqual({ modelsUrl: null, wasmUrl: 'device/ort/' });
    const cdn = edge({ REFSEG_DEVICE_MODELS_URL: 'https://cdn.example/refseg/models', REFSEG_DEVICE_WASM_URL: 'https://ort.example/1.30.0/' });
    expect(await (await cdn('/device/config')).json()).toEqual({ modelsUrl: 'https://cdn.example/refseg/models/', wasmUrl: 'https://ort.example/1.30.0/' });
    // The page may then fetch from those origins; nothing else is opened up.
    const csp = (await cdn('/')).headers.get('content-security-policy')!;
    expect(csp).toContain("connect-src 'self' https://cdn.example https://ort.example;");
    expect(csp).not.toContain('unsafe');
    expect((await edge({})('/')).headers.get('content-security-policy')).toContain("connect-src 'self';");
  });

  it('serves the manifest and the files it lists with their sizes, nothing else from the folder', async () => {
    const get = edge({}, served);
    const res = await get('/device/models/manifest.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const manifest = DeviceModelsManifestSchema.parse(await res.json());
    expect(manifest.encoder.data.map((d) => d.file)).toEqual(['vision_encoder.onnx_data']);
    for (const f of [manifest.encoder, manifest.encoder.data[0], manifest.decoder, manifest.dino]) {
      const r = await get(`/device/models/${f.file}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-length')).toBe(String(f.bytes));
      expect(r.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(await sha256Hex(new Uint8Array(await r.arrayBuffer()))).toBe(f.sha256);
    }
    for (const name of ['secret.txt', '..%2Fstandins%2Fdinov2%2Fmodel.onnx', '.manifest.json', 'nothing.onnx']) {
      const r = await get(`/device/models/${name}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await edge({})('/device/models/manifest.json')).status).toBe(404);
  });

  it("serves onnxruntime-web's two WASM binaries from the installed package, nothing else", async () => {
    const get = edge({});
    const res = await get('/device/ort/ort-wasm-simd-threaded.wasm');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/wasm');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe((await readFile(join(import.meta.dirname, '..', '..', 'node_modules', 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm'))).length);
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
    expect((await get('/device/ort/ort-wasm-simd-threaded.jsep.wasm')).status).toBe(200);
    for (const name of ['ort.min.mjs', 'package.json', '..%2Fpackage.json']) expect((await get(`/device/ort/${name}`)).status).toBe(404);
  });
});
