// First run, as a person meets it: `npm start` (start.ts) and the `refseg` CLI run as child
// processes. Every mistake (a second start on the same ports, a weak admin key, a model path that
// is not there, an unknown flag, a file that is missing or not an image) ends with one line
// naming the input and what to do, no stack, and the documented exit code.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { finished as finish } from '../processes.ts';
import type { StandinPaths } from '../../gpu-node/standin/generate.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// As `npm start` runs it (node --import tsx), with tsx named by path since cwd is a temporary folder.
const START = ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'start.ts')];
const BIN = join(ROOT, 'bin/refseg.mjs');
const ADMIN = 'admin-0123456789abcdef0123456789abcdef';

let dir: string;
let standins: StandinPaths;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-first-run-'));
  standins = await generateStandins(join(dir, 'models'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function start(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), REFSEG_MODELS_DIR: join(dir, 'no-models'), REFSEG_HUB_URL: 'http://127.0.0.1:9', ...env },
  });
}

const npmStart = (env: Record<string, string>) => finish(start(START, env));
const refseg = (...args: string[]) => finish(start([BIN, ...args], {}));

/** One line on stderr, without a stack or Node's error names. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
  expect(stderr.trimEnd()).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at |ERR_|EADDRINUSE|ENOENT/);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function hold(port: number): Promise<Server> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  return s;
}

describe('npm start', () => {
  it('a second start on the same ports says the port is in use and exits 1, before loading anything', async () => {
    const [gpuPort, edgePort] = [await freePort(), await freePort()];
    const models = { REFSEG_SAM2: standins.sam2A.dir, REFSEG_DINOV2: standins.dino, REFSEG_DB: join(dir, 'edge.sqlite') };
    const first = start(START, { ...models, REFSEG_GPU_PORT: String(gpuPort), REFSEG_EDGE_PORT: String(edgePort) });
    const firstRun = finish(first);
    let out = '';
    first.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 90_000, interval: 200 }).toMatch(/refseg is ready\. Open http:\/\/127\.0\.0\.1:\d+\//);
    try {
      const second = await npmStart({ ...models, REFSEG_GPU_PORT: String(gpuPort), REFSEG_EDGE_PORT: String(edgePort + 0) });
      expect(second.code).toBe(1);
      expectOneLine(second.stderr, new RegExp(`^refseg: port ${gpuPort} on 127\\.0\\.0\\.1 \\(REFSEG_GPU_PORT\\) is already in use; is refseg already running\\? Stop it, or set REFSEG_GPU_PORT to a free port\\.`));
      const edgeBusy = await npmStart({ ...models, REFSEG_GPU_PORT: String(await freePort()), REFSEG_EDGE_PORT: String(edgePort) });
      expect(edgeBusy.code).toBe(1);
      expectOneLine(edgeBusy.stderr, new RegExp(`port ${edgePort} on 127\\.0\\.0\\.1 \\(REFSEG_EDGE_PORT\\) is already in use`));
    } finally {
      first.kill('SIGTERM');
    }
    const firstDone = await firstRun;
    expect(firstDone.code).toBe(0);
    // Started without REFSEG_ADMIN_KEY: said once, with what to do.
    expect(firstDone.stderr).toMatch(/refseg: REFSEG_ADMIN_KEY is not set, so the admin routes are off and no further API key can be created; restart with REFSEG_ADMIN_KEY=\$\(openssl rand -hex 24\)/);
  });

  it('a short admin key, a bad variable, or a model path that is not there: one line, exit 2', async () => {
    const short = await npmStart({ REFSEG_ADMIN_KEY: 'hunter2' });
    expect(short.code).toBe(2);
    expectOneLine(short.stderr, /^refseg: REFSEG_ADMIN_KEY has 7 characters; the admin key must be at least 32 characters without whitespace \(generate one: openssl rand -hex 24\)\.$/);
    const spaced = await npmStart({ REFSEG_ADMIN_KEY: `${ADMIN} x` });
    expect(spaced.code).toBe(2);
    expectOneLine(spaced.stderr, /REFSEG_ADMIN_KEY contains whitespace/);
    const variable = await npmStart({ REFSEG_GPU_TIMEOUT_MS: 'soon' });
    expect(variable.code).toBe(2);
    expectOneLine(variable.stderr, /^refseg: REFSEG_GPU_TIMEOUT_MS: /);
    const port = await npmStart({ REFSEG_EDGE_PORT: 'eighty' });
    expect(port.code).toBe(2);
    expectOneLine(port.stderr, /^refseg: REFSEG_EDGE_PORT="eighty" is not a port number/);
    const sam2 = await npmStart({ REFSEG_ADMIN_KEY: ADMIN, REFSEG_SAM2: './models/sam2-nowhere', REFSEG_GPU_PORT: '0', REFSEG_EDGE_PORT: '0' });
    expect(sam2.code).toBe(2);
    expectOneLine(sam2.stderr, /^refseg: SAM2 model "\.\/models\/sam2-nowhere": no such file or folder\. Give a folder holding its encoder and decoder \.onnx, or a preset id/);
  });
});

describe('refseg CLI', () => {
  it('an unknown flag, a missing value, a missing file, a text file as image or mask: one line naming it, exit 2', async () => {
    const unknown = await refseg('segment', '--refs', 'a.jpg');
    expect(unknown.code).toBe(2);
    expectOneLine(unknown.stderr, /^refseg segment: Unknown option --refs \(did you mean --ref\?\)\. Run `refseg segment --help` for usage\.$/);
    const valueless = await refseg('segment', '--target');
    expect(valueless.code).toBe(2);
    expectOneLine(valueless.stderr, /^refseg segment: Option --target needs a value \(--target <value>\)\./);

    const png = join(dir, 'img.png');
    await writeFile(png, await sharp(Buffer.alloc(16 * 12 * 3, 90), { raw: { width: 16, height: 12, channels: 3 } }).png().toBuffer());
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'this is not a mask\n');
    const ref = (mask: string, target = png) => refseg('segment', '--ref', png, '--ref-mask', mask, '--ref-class', 'a', '--target', target, '--sam2', standins.sam2A.dir, '--dinov2', standins.dino);

    const missing = await ref(png, join(dir, 'gone.jpg'));
    expect(missing.code).toBe(2);
    expectOneLine(missing.stderr, new RegExp(`^refseg segment: cannot read ${join(dir, 'gone.jpg').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no such file or folder\\. Check the path\\.$`));
    const textTarget = await ref(png, notes);
    expect(textTarget.code).toBe(2);
    expectOneLine(textTarget.stderr, /^refseg segment: --target .*notes\.txt: The image's bytes are not an image format refseg recognises/);
    const textMask = await ref(notes);
    expect(textMask.code).toBe(2);
    expectOneLine(textMask.stderr, /^refseg segment: .*notes\.txt: not a mask image or a \.json file \(.*\)\. Give a PNG whose non-zero pixels are the instance/);
    const missingMask = await ref(join(dir, 'gone-mask.png'));
    expect(missingMask.code).toBe(2);
    expectOneLine(missingMask.stderr, /cannot read .*gone-mask\.png: no such file or folder/);
    const sam2 = await refseg('segment', '--quiet', '--ref', png, '--ref-box', '1,1,4,4', '--ref-class', 'a', '--target', png, '--sam2', join(dir, 'no-such-sam2'));
    expect(sam2.code).toBe(2);
    expectOneLine(sam2.stderr, /^refseg segment: SAM2 model ".*no-such-sam2": no such file or folder\./);
  });
});
