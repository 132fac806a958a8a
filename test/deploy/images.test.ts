// The two images without Docker (this machine has none): each Dockerfile's final stage is read,
// the files it copies are laid out in a folder as the image would hold them (node_modules linked
// from this checkout instead of built), and its ENTRYPOINT + CMD and HEALTHCHECK are run there.
// What this cannot check: the base images, apt, npm ci inside Docker, the CUDA provider on a GPU.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { copyOf, envOf, execForm, instructions, parseDockerfile } from './dockerfile.ts';
import type { Stage } from './dockerfile.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function finalStage(file: string): Stage {
  return parseDockerfile(readFileSync(join(ROOT, 'deploy', file), 'utf8')).at(-1)!;
}

const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** The image's /app: every COPY from the build context, and node_modules from this checkout. */
async function layOut(stage: Stage, into: string): Promise<void> {
  const workdir = instructions(stage, 'WORKDIR').at(-1)!;
  for (const args of instructions(stage, 'COPY')) {
    const { from, sources, dest } = copyOf(args);
    const target = join(into, dest.startsWith('/') ? dest.slice(workdir.length) : dest);
    if (from !== undefined) {
      if (sources[0] === '/app/node_modules') await symlink(join(ROOT, 'node_modules'), target.replace(/\/$/, ''));
      continue;
    }
    for (const src of sources) {
      expect(ignored, `${src} is copied but .dockerignore leaves it out of the build context`).not.toContain(src);
      expect(existsSync(join(ROOT, src)), `${src} is copied but does not exist`).toBe(true);
      const to = dest.endsWith('/') ? join(target, src) : target;
      await mkdir(resolve(to, '..'), { recursive: true });
      await cp(join(ROOT, src), to, { recursive: true });
    }
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `re` in the output. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function start(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return {
    child,
    output: () => out,
    exited,
    waitFor(re, ms = 60_000) {
      return new Promise((ok, fail) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            ok(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`no ${re} within ${ms} ms; output:\n${out}`));
        }, ms);
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            fail(new Error(`exited before ${re}; output:\n${out}`));
          }
        });
        check();
      });
    },
  };
}

/** ENTRYPOINT + CMD as the container runs them, without the tini init in front. */
function command(stage: Stage): string[] {
  const entry = execForm(instructions(stage, 'ENTRYPOINT').at(-1)!);
  const cmd = instructions(stage, 'CMD').map(execForm).at(-1) ?? [];
  expect(entry.slice(0, 2)).toEqual(['tini', '--']);
  return [...entry.slice(2), ...cmd];
}

/** The HEALTHCHECK command, pointed at `port` instead of the image's. */
function healthcheck(stage: Stage, imagePort: string, port: number): string[] {
  const argv = execForm(instructions(stage, 'HEALTHCHECK').at(-1)!);
  expect(argv.join(' ')).toContain(`127.0.0.1:${imagePort}/`);
  return argv.map((a) => a.replace(`127.0.0.1:${imagePort}`, `127.0.0.1:${port}`));
}

async function exitCode(argv: string[], cwd: string): Promise<number | null> {
  return start(argv, cwd, { PATH: process.env.PATH ?? '' }).exited;
}

describe('the images, run from their Dockerfiles without Docker', () => {
  const gpuStage = finalStage('gpu-node.Dockerfile');
  const edgeStage = finalStage('edge.Dockerfile');
  let root: string;
  let gpuApp: string;
  let edgeApp: string;
  let standins: Awaited<ReturnType<typeof generateStandins>>;
  const running: Running[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'refseg-images-'));
    gpuApp = join(root, 'gpu-node-app');
    edgeApp = join(root, 'edge-app');
    await mkdir(gpuApp);
    await mkdir(edgeApp);
    await layOut(gpuStage, gpuApp);
    await layOut(edgeStage, edgeApp);
    standins = await generateStandins(join(root, 'models'), { dinoDim: 32 });
  });
  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('the gpu-node image holds no edge code and the edge image no gpu-node code', async () => {
    expect(existsSync(join(gpuApp, 'gpu-node', 'cli', 'main.ts'))).toBe(true);
    expect(existsSync(join(gpuApp, 'edge'))).toBe(false);
    expect(existsSync(join(edgeApp, 'edge', 'adapters', 'node.ts'))).toBe(true);
    expect(existsSync(join(edgeApp, 'gpu-node'))).toBe(false);
  });

  it('gpu-node: its command serves, its health check turns healthy when ready, SIGTERM stops it cleanly; then the edge image in front of it', async () => {
    const env = envOf(instructions(gpuStage, 'ENV').join(' '));
    expect(env.REFSEG_MODELS_DIR).toBe('/models');
    const imagePort = instructions(gpuStage, 'EXPOSE')[0];
    const argv = command(gpuStage);
    expect(argv.slice(argv.indexOf('--port'), argv.indexOf('--port') + 2)).toEqual(['--port', imagePort]);
    // What differs from a GPU container: a free port, CPU after the CUDA fallback, stand-in models named directly.
    const gpu = start(
      [...argv, '--port', '0', '--sam2', standins.sam2B.dir, '--dinov2', standins.dino],
      gpuApp,
      { PATH: process.env.PATH ?? '', HOME: root, ...env, REFSEG_MODELS_DIR: join(root, 'models'), REFSEG_GPU_SECRET: 'image-test-secret' },
    );
    running.push(gpu);
    const port = Number((await gpu.waitFor(/gpu-node listening on http:\/\/0\.0\.0\.0:(\d+)/))[1]);
    await gpu.waitFor(/gpu-node ready: /);
    expect(gpu.output()).toMatch(/cuda|CUDA/); // the one-line fallback notice
    expect(await exitCode(healthcheck(gpuStage, imagePort, port), gpuApp)).toBe(0);

    const edgeEnv = envOf(instructions(edgeStage, 'ENV').join(' '));
    const edgeImagePort = instructions(edgeStage, 'EXPOSE')[0];
    expect(edgeEnv.REFSEG_EDGE_PORT).toBe(edgeImagePort);
    const edge = start(command(edgeStage), edgeApp, {
      PATH: process.env.PATH ?? '',
      HOME: root,
      ...edgeEnv,
      REFSEG_EDGE_PORT: '0',
      REFSEG_DB: join(root, 'edge.sqlite'),
      REFSEG_GPU_NODES: `http://127.0.0.1:${port}`,
      REFSEG_GPU_SECRET: 'image-test-secret',
    });
    running.push(edge);
    const edgePort = Number((await edge.waitFor(/refseg edge listening on http:\/\/0\.0\.0\.0:(\d+)/))[1]);
    expect(await exitCode(healthcheck(edgeStage, edgeImagePort, edgePort), edgeApp)).toBe(0);
    let ready: Response | undefined;
    for (let i = 0; i < 50 && ready?.status !== 200; i++) {
      ready = await fetch(`http://127.0.0.1:${edgePort}/readyz`);
      if (ready.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    const body = (await ready!.json()) as { gpuNodes: { healthy: number; total: number } };
    expect(ready!.status).toBe(200);
    expect(body.gpuNodes).toEqual({ healthy: 1, total: 1 });
    expect(await readFile(join(root, 'edge.sqlite')).then((b) => b.length)).toBeGreaterThan(0);

    edge.child.kill('SIGTERM');
    gpu.child.kill('SIGTERM');
    expect(await edge.exited).toBe(0);
    expect(await gpu.exited).toBe(0);
    expect(gpu.output()).toContain('Stopping on SIGTERM');
  });
});
