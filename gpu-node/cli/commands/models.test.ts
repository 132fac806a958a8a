// The `refseg models` commands run as a child process (bin/refseg.mjs, as a user runs them)
// against a local stand-in hub.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRefseg } from '../../../test/processes.ts';
import type { PresetInput } from '../../model-store/presets.ts';
import { closedPortUrl, hubPath, startHub, testBytes } from '../../model-store/test-hub.ts';
import type { TestHub } from '../../model-store/test-hub.ts';
import { makeZip } from '../../model-store/test-zip.ts';

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const refseg = runRefseg;

const model = testBytes(300_000, 21);
const TEST_PRESETS: PresetInput[] = [
  {
    id: 'test-dino',
    family: 'dinov2',
    title: 'test',
    repo: 'test-org/dino',
    revision: 'r1',
    format: 'onnx-community',
    dtype: 'fp32',
    files: [{ path: 'onnx/model.onnx', role: 'model', size: model.length, sha256: sha(model) }],
  },
  {
    id: 'test-gone',
    family: 'dinov2',
    title: 'test',
    repo: 'test-org/gone',
    revision: 'r1',
    format: 'onnx-community',
    dtype: 'fp32',
    files: [{ path: 'onnx/model.onnx', role: 'model', size: null }],
  },
];

let hub: TestHub;
let work: string;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  hub = await startHub();
  work = await mkdtemp(join(tmpdir(), 'refseg-cli-'));
  const presetsFile = join(work, 'presets.json');
  await writeFile(presetsFile, JSON.stringify(TEST_PRESETS));
  env = { REFSEG_HUB_URL: hub.url, REFSEG_PRESETS_FILE: presetsFile };
});

afterAll(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  dir = await mkdtemp(join(work, 'models-'));
  hub.files.clear();
  hub.requests.length = 0;
});

describe('refseg models pull', () => {
  it('downloads a preset with progress on stderr and the result on stdout', async () => {
    hub.files.set(hubPath('test-org/dino', 'r1', 'onnx/model.onnx'), { body: model });
    const run = await refseg(['models', 'pull', 'test-dino', '--dir', dir], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`test-dino: complete in ${join(dir, 'test-dino')}\n`);
    expect(run.stderr).toMatch(/test-dino\/model\.onnx\s+100%\s+300\.0 kB\/300\.0 kB/);
    expect(sha(await readFile(join(dir, 'test-dino', 'model.onnx')))).toBe(sha(model));

    const list = await refseg(['models', 'list', '--dir', dir, '--json'], env);
    expect(list.code).toBe(0);
    const states = Object.fromEntries((JSON.parse(list.stdout) as { id: string; state: string }[]).map((s) => [s.id, s.state]));
    expect(states['test-dino']).toBe('complete');
    expect(states['test-gone']).toBe('absent');
    expect(states['sam2.1-hiera-tiny']).toBe('absent');

    const text = await refseg(['models', 'list', '--dir', dir, '--downloaded'], env);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^PRESET\s+STATE\s+SIZE\s+SOURCE$/),
      expect.stringMatching(/^test-dino\s+complete\s+300\.0 kB\s+test-org\/dino@r1$/),
    ]);
  });

  it('fails on a dropped connection, then resumes the .part with a Range request', async () => {
    const path = hubPath('test-org/dino', 'r1', 'onnx/model.onnx');
    hub.files.set(path, { body: model, dropAt: 120_000 });
    const first = await refseg(['models', 'pull', 'test-dino', '--dir', dir, '--retries', '0'], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('run the same command again to resume');
    const part = join(dir, 'test-dino', 'model.onnx.part');
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(120_000);

    const second = await refseg(['models', 'pull', 'test-dino', '--dir', dir, '--retries', '0'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('test-dino/model.onnx: resuming at');
    expect(hub.requests.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(sha(await readFile(join(dir, 'test-dino', 'model.onnx')))).toBe(sha(model));
  });

  it('reports a file missing on the hub with a non-zero exit code', async () => {
    const run = await refseg(['models', 'pull', 'test-gone', '--dir', dir], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refseg models pull: The model hub has no file model.onnx');
    expect(run.stderr).toContain('HTTP 404');
    expect(run.stdout).toBe('');
  });

  it('without network, names the files to fetch by hand and the folder to put them in', async () => {
    const run = await refseg(['models', 'pull', 'sam2.1-hiera-tiny', '--dir', dir], { ...env, REFSEG_HUB_URL: await closedPortUrl() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cannot reach the model hub');
    expect(run.stderr).toContain(`put them in ${join(dir, 'sam2.1-hiera-tiny')}/`);
    for (const name of ['vision_encoder.onnx', 'vision_encoder.onnx_data', 'prompt_encoder_mask_decoder.onnx', 'prompt_encoder_mask_decoder.onnx_data']) {
      expect(run.stderr).toContain(`→ ${name} (`);
    }
    expect(run.stderr).toContain('134084864 bytes');
  });

  it('pulls built-in presets by their hub layout, extracting a samexporter zip', async () => {
    const fp16 = testBytes(40_000, 22);
    hub.files.set('/onnx-community/dinov2-small/resolve/main/onnx/model_fp16.onnx', { body: fp16 });
    const encoder = testBytes(50_000, 23);
    const decoder = testBytes(7_000, 24);
    hub.files.set('/vietanhdev/segment-anything-2.1-onnx-models/resolve/main/sam2.1_hiera_small_20260221.zip', {
      body: makeZip([
        { name: 'sam2.1_hiera_small/sam2.1_hiera_small.encoder.onnx', data: encoder, deflate: true },
        { name: 'sam2.1_hiera_small/sam2.1_hiera_small.decoder.onnx', data: decoder, deflate: true },
      ]),
    });
    const run = await refseg(['models', 'pull', 'dinov2-small-fp16', 'sam2.1-hiera-small-samexporter', '--dir', dir, '-q'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      `dinov2-small-fp16: complete in ${join(dir, 'dinov2-small-fp16')}`,
      `sam2.1-hiera-small-samexporter: complete in ${join(dir, 'sam2.1-hiera-small-samexporter')}`,
    ]);
    expect(sha(await readFile(join(dir, 'dinov2-small-fp16', 'model_fp16.onnx')))).toBe(sha(fp16));
    expect(sha(await readFile(join(dir, 'sam2.1-hiera-small-samexporter', 'sam2.1_hiera_small.encoder.onnx')))).toBe(sha(encoder));
    expect(sha(await readFile(join(dir, 'sam2.1-hiera-small-samexporter', 'sam2.1_hiera_small.decoder.onnx')))).toBe(sha(decoder));
  });

  it('rejects an unknown preset as a usage error', async () => {
    const run = await refseg(['models', 'pull', 'dinov2-tiny', '--dir', dir], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown model preset "dinov2-tiny"');
    expect(hub.requests).toHaveLength(0);
  });
});
