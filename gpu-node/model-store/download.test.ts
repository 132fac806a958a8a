import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullPreset } from './download.ts';
import type { PullEvent } from './download.ts';
import {
  DownloadInterruptedError,
  ModelArchiveError,
  ModelChecksumMismatchError,
  ModelFileNotFoundError,
  ModelHubUnreachableError,
  ModelSizeMismatchError,
  ModelStoreLockedError,
} from './errors.ts';
import { listModels } from './list.ts';
import { LOCK_NAME } from './lock.ts';
import { parsePresets } from './presets.ts';
import type { Preset, PresetInput } from './presets.ts';
import { closedPortUrl, hubPath, startHub, testBytes } from './test-hub.ts';
import type { TestHub } from './test-hub.ts';
import { makeZip } from './test-zip.ts';

const REPO = 'test-org/test-model-ONNX';
const REV = 'abc123';

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function preset(files: PresetInput['files'], family: 'sam2' | 'dinov2' = 'dinov2'): Preset {
  return parsePresets([
    { id: 'test-preset', family, title: 'test', repo: REPO, revision: REV, format: 'onnx-community', dtype: 'fp32', files },
  ])[0];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

let dir: string;
let hub: TestHub | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-store-'));
});

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('pullPreset', () => {
  it('downloads every file into <dir>/<preset>/ with exact bytes and leaves no .part', async () => {
    const model = testBytes(300_000, 1);
    const data = testBytes(12_345, 2);
    hub = await startHub({
      [hubPath(REPO, REV, 'onnx/model.onnx')]: { body: model },
      [hubPath(REPO, REV, 'onnx/model.onnx_data')]: { body: data },
    });
    const p = preset([
      { path: 'onnx/model.onnx', role: 'model', size: model.length, sha256: sha(model) },
      { path: 'onnx/model.onnx_data', role: 'external-data', size: null },
    ]);
    const events: PullEvent[] = [];
    const result = await pullPreset(p, { dir, hub: hub.url, onEvent: (e) => events.push(e) });

    expect(result.dir).toBe(join(dir, 'test-preset'));
    expect(sha(await readFile(join(dir, 'test-preset', 'model.onnx')))).toBe(sha(model));
    expect(sha(await readFile(join(dir, 'test-preset', 'model.onnx_data')))).toBe(sha(data));
    expect((await readdir(join(dir, 'test-preset'))).sort()).toEqual(['model.onnx', 'model.onnx_data']);
    expect(hub.requests.map((r) => [r.path, r.range])).toEqual([
      [hubPath(REPO, REV, 'onnx/model.onnx'), undefined],
      [hubPath(REPO, REV, 'onnx/model.onnx_data'), undefined],
    ]);
    const progress = events.filter((e) => e.type === 'progress');
    const last = progress.at(-1)!;
    expect(last.type === 'progress' && [last.done, last.total]).toEqual([model.length + data.length, model.length + data.length]);
    expect(events.filter((e) => e.type === 'file-done').map((e) => e.type === 'file-done' && [e.file, e.bytes, e.skipped])).toEqual([
      ['model.onnx', model.length, false],
      ['model.onnx_data', data.length, false],
    ]);
    const [status] = await listModels(dir, [p]);
    expect(status.state).toBe('complete');

    // A second run finds everything in place and asks the hub for nothing.
    const again = await pullPreset(p, { dir, hub: hub.url });
    expect(again.files.every((f) => f.skipped)).toBe(true);
    expect(hub.requests).toHaveLength(2);
  });

  it('keeps the bytes of a dropped connection in .part and resumes them with a Range request', async () => {
    const body = testBytes(500_000, 3);
    const path = hubPath(REPO, REV, 'onnx/model.onnx');
    hub = await startHub({ [path]: { body, dropAt: 180_000 } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length, sha256: sha(body) }]);
    const target = join(dir, 'test-preset', 'model.onnx');

    const first = await pullPreset(p, { dir, hub: hub.url, retries: 0 }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DownloadInterruptedError);
    expect(await exists(target)).toBe(false);
    const kept = (await stat(`${target}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(180_000);
    expect((first as DownloadInterruptedError).received).toBe(kept);
    expect((first as Error).message).toContain(`${target}.part`);
    const [partial] = await listModels(dir, [p]);
    expect(partial.state).toBe('partial');
    expect(partial.files[0]).toMatchObject({ state: 'partial', bytes: kept });

    const events: PullEvent[] = [];
    await pullPreset(p, { dir, hub: hub.url, retries: 0, onEvent: (e) => events.push(e) });
    expect(hub.requests.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(hub.requests[1].status).toBe(206);
    expect(events.find((e) => e.type === 'file-start')).toMatchObject({ resumeFrom: kept, total: body.length });
    expect(sha(await readFile(target))).toBe(sha(body));
    expect(await exists(`${target}.part`)).toBe(false);
  });

  it('retries a broken transfer by itself, resuming where it stopped', async () => {
    const body = testBytes(400_000, 4);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body, dropAt: 100_000 } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length }]);
    const events: PullEvent[] = [];
    await pullPreset(p, { dir, hub: hub.url, retries: 2, retryDelayMs: 5, onEvent: (e) => events.push(e) });
    expect(hub.requests).toHaveLength(2);
    expect(hub.requests[1].range).toMatch(/^bytes=\d+-$/);
    const resumedAt = Number(/=(\d+)-/.exec(hub.requests[1].range!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect(sha(await readFile(join(dir, 'test-preset', 'model.onnx')))).toBe(sha(body));
  });

  it('restarts from zero when the server ignores the Range header', async () => {
    const body = testBytes(50_000, 5);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body, ignoreRange: true } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length, sha256: sha(body) }]);
    const folder = join(dir, 'test-preset');
    await pullPreset(p, { dir, hub: hub.url }); // creates the folder
    await rm(join(folder, 'model.onnx'));
    await writeFile(join(folder, 'model.onnx.part'), body.subarray(0, 20_000));
    await pullPreset(p, { dir, hub: hub.url, retries: 0 });
    expect(hub.requests.at(-1)).toMatchObject({ range: 'bytes=20000-', status: 200 });
    expect(sha(await readFile(join(folder, 'model.onnx')))).toBe(sha(body));
  });

  it('starts again when a .part is longer than the file', async () => {
    const body = testBytes(10_000, 6);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length }]);
    const folder = join(dir, 'test-preset');
    await pullPreset(p, { dir, hub: hub.url });
    await rm(join(folder, 'model.onnx'));
    await writeFile(join(folder, 'model.onnx.part'), testBytes(15_000, 9));
    await pullPreset(p, { dir, hub: hub.url });
    expect(hub.requests.at(-1)!.range).toBeUndefined();
    expect(sha(await readFile(join(folder, 'model.onnx')))).toBe(sha(body));
  });

  it('finishes a .part that already holds the whole file when the server answers 416', async () => {
    const body = testBytes(8_000, 18);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: null }]);
    const folder = join(dir, 'test-preset');
    await pullPreset(p, { dir, hub: hub.url });
    await rm(join(folder, 'model.onnx'));
    await writeFile(join(folder, 'model.onnx.part'), body);
    await pullPreset(p, { dir, hub: hub.url });
    expect(hub.requests.at(-1)).toMatchObject({ range: 'bytes=8000-', status: 416 });
    expect(sha(await readFile(join(folder, 'model.onnx')))).toBe(sha(body));
    expect(await exists(join(folder, 'model.onnx.part'))).toBe(false);
  });

  it('with verify, fetches again a present file whose SHA-256 is wrong', async () => {
    const body = testBytes(6_000, 19);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length, sha256: sha(body) }]);
    const target = join(dir, 'test-preset', 'model.onnx');
    await pullPreset(p, { dir, hub: hub.url });
    await writeFile(target, testBytes(6_000, 20)); // same size, other bytes
    await pullPreset(p, { dir, hub: hub.url });
    expect(hub.requests).toHaveLength(1); // without verify, size is all that is checked
    await pullPreset(p, { dir, hub: hub.url, verify: true });
    expect(hub.requests).toHaveLength(2);
    expect(sha(await readFile(target))).toBe(sha(body));
  });

  it('reports a 404 as ModelFileNotFoundError naming the file and URL', async () => {
    hub = await startHub({});
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: 10 }]);
    const err = await pullPreset(p, { dir, hub: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileNotFoundError);
    expect((err as Error).message).toContain('model.onnx');
    expect((err as Error).message).toContain(`${hub.url}${hubPath(REPO, REV, 'onnx/model.onnx')}`);
    expect((err as Error).message).toContain('404');
    expect(hub.requests).toHaveLength(1); // a 404 is not retried
    expect(await readdir(join(dir, 'test-preset'))).toEqual([]);
  });

  it('tolerates a 404 for an optional file and the preset still counts as complete', async () => {
    const body = testBytes(1000, 7);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([
      { path: 'onnx/model.onnx', role: 'model', size: null },
      { path: 'onnx/model.onnx_data', role: 'external-data', size: null, optional: true },
    ]);
    const events: PullEvent[] = [];
    const result = await pullPreset(p, { dir, hub: hub.url, onEvent: (e) => events.push(e) });
    expect(result.files.map((f) => [f.name, f.absent ?? false])).toEqual([
      ['model.onnx', false],
      ['model.onnx_data', true],
    ]);
    expect(events.some((e) => e.type === 'file-absent' && e.file === 'model.onnx_data')).toBe(true);
    const [status] = await listModels(dir, [p]);
    expect(status.state).toBe('complete');
  });

  it('refuses a file whose Content-Length differs from the preset size, keeping nothing', async () => {
    const body = testBytes(9_999, 8);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: 10_000 }]);
    const err = await pullPreset(p, { dir, hub: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelSizeMismatchError);
    expect((err as Error).message).toContain('expected 10000 bytes');
    expect((err as Error).message).toContain('9999');
    expect(await readdir(join(dir, 'test-preset'))).toEqual([]);
  });

  it('stops a length-less stream that runs past the preset size, keeping nothing', async () => {
    const body = testBytes(70_000, 10);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body, chunked: true } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: 50_000 }]);
    const err = await pullPreset(p, { dir, hub: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelSizeMismatchError);
    expect(await readdir(join(dir, 'test-preset'))).toEqual([]);
  });

  it('refuses a file whose SHA-256 differs, keeping nothing', async () => {
    const body = testBytes(4_096, 11);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length, sha256: sha(testBytes(4_096, 12)) }]);
    const err = await pullPreset(p, { dir, hub: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelChecksumMismatchError);
    expect((err as Error).message).toContain(sha(body));
    expect(await readdir(join(dir, 'test-preset'))).toEqual([]);
  });

  it('when nothing listens, says which files to fetch by hand and where to put them', async () => {
    const url = await closedPortUrl();
    const p = preset([
      { path: 'onnx/model.onnx', role: 'model', size: 1234, sha256: 'a'.repeat(64) },
      { path: 'onnx/model.onnx_data', role: 'external-data', size: null },
    ]);
    const err = await pullPreset(p, { dir, hub: url, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelHubUnreachableError);
    const message = (err as Error).message;
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain(`${url}${hubPath(REPO, REV, 'onnx/model.onnx')}`);
    expect(message).toContain(`${url}${hubPath(REPO, REV, 'onnx/model.onnx_data')}`);
    expect(message).toContain('→ model.onnx (1234 bytes');
    expect(message).toContain('→ model.onnx_data (size unknown)');
    expect(message).toContain(join(dir, 'test-preset'));
  });

  it('extracts the named members of a zip archive and removes the archive', async () => {
    const encoder = testBytes(80_000, 13);
    const decoder = testBytes(3_000, 14);
    const zip = makeZip([
      { name: 'sam2.1_hiera_tiny/sam2.1_hiera_tiny.encoder.onnx', data: encoder, deflate: true },
      { name: 'sam2.1_hiera_tiny/sam2.1_hiera_tiny.decoder.onnx', data: decoder },
      { name: 'sam2.1_hiera_tiny/config.yaml', data: testBytes(10, 15) },
    ]);
    hub = await startHub({ [hubPath(REPO, REV, 'tiny.zip')]: { body: zip } });
    const p = preset(
      [
        {
          path: 'tiny.zip',
          size: zip.length,
          extract: [
            { name: 'sam2.1_hiera_tiny.encoder.onnx', role: 'encoder' },
            { name: 'sam2.1_hiera_tiny.decoder.onnx', role: 'decoder' },
          ],
        },
      ],
      'sam2',
    );
    const [before] = await listModels(dir, [p]);
    expect(before.state).toBe('absent');
    await pullPreset(p, { dir, hub: hub.url });
    const folder = join(dir, 'test-preset');
    expect((await readdir(folder)).sort()).toEqual(['sam2.1_hiera_tiny.decoder.onnx', 'sam2.1_hiera_tiny.encoder.onnx']);
    expect(sha(await readFile(join(folder, 'sam2.1_hiera_tiny.encoder.onnx')))).toBe(sha(encoder));
    expect(sha(await readFile(join(folder, 'sam2.1_hiera_tiny.decoder.onnx')))).toBe(sha(decoder));
    const [after] = await listModels(dir, [p]);
    expect(after.state).toBe('complete');
  });

  it('extracts an archive a stopped run left whole without fetching it again', async () => {
    const data = testBytes(2_000, 25);
    const zip = makeZip([{ name: 'model.onnx', data, deflate: true }]);
    hub = await startHub({ [hubPath(REPO, REV, 'm.zip')]: { body: zip } });
    const p = preset([{ path: 'm.zip', size: zip.length, extract: [{ name: 'model.onnx', role: 'model' }] }]);
    const folder = join(dir, 'test-preset');
    await pullPreset(p, { dir, hub: hub.url });
    await rm(join(folder, 'model.onnx'));
    await writeFile(join(folder, 'm.zip'), zip);
    await pullPreset(p, { dir, hub: hub.url });
    expect(hub.requests).toHaveLength(1);
    expect(sha(await readFile(join(folder, 'model.onnx')))).toBe(sha(data));
    expect(await readdir(folder)).toEqual(['model.onnx']);
  });

  it('rejects an archive whose member fails its CRC', async () => {
    const data = testBytes(5_000, 16);
    const zip = makeZip([{ name: 'model.onnx', data }]);
    zip[30 + 'model.onnx'.length + 100] ^= 0xff; // one byte of the stored member's data
    hub = await startHub({ [hubPath(REPO, REV, 'm.zip')]: { body: zip } });
    const p = preset([{ path: 'm.zip', size: null, extract: [{ name: 'model.onnx', role: 'model' }] }]);
    const err = await pullPreset(p, { dir, hub: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelArchiveError);
    expect((err as Error).message).toContain('CRC-32');
    expect(await exists(join(dir, 'test-preset', 'model.onnx'))).toBe(false);
  });

  it('refuses to write into a folder another live process is pulling into, and retakes a stale lock', async () => {
    const body = testBytes(100, 17);
    hub = await startHub({ [hubPath(REPO, REV, 'onnx/model.onnx')]: { body } });
    const p = preset([{ path: 'onnx/model.onnx', role: 'model', size: body.length }]);
    const folder = join(dir, 'test-preset');
    await pullPreset(p, { dir, hub: hub.url }); // creates the folder
    await rm(join(folder, 'model.onnx'));

    await writeFile(join(folder, LOCK_NAME), String(process.pid));
    await expect(pullPreset(p, { dir, hub: hub.url })).rejects.toBeInstanceOf(ModelStoreLockedError);

    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(join(folder, LOCK_NAME), String(deadPid));
    await pullPreset(p, { dir, hub: hub.url });
    expect(await exists(join(folder, 'model.onnx'))).toBe(true);
    expect(await exists(join(folder, LOCK_NAME))).toBe(false);
  });
});
