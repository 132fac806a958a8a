// `npm start -- --standin` as a person runs it (a child process): it generates the stand-in
// models, starts the gpu-node and the edge, prints the page URL, a working API key and the
// stand-in warning, answers GET /v1/info with standin: true, and stops cleanly on Ctrl+C.
// The first-run pieces (arguments, the question when models are missing) are checked directly.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { askWhenModelsMissing, isLocalUrl, parseStartArgs, STANDIN_WARNING, welcomeLines } from '../../start-local.ts';

const ROOT = resolve(import.meta.dirname, '../..');
// What `npm start` runs (the package.json test below holds them together): one process, tsx as
// a loader. tsx's own CLI would add a parent that SIGKILLs its child when the child takes over
// 30 ms to acknowledge Ctrl+C, so a loaded machine ended refseg with 130 and no clean stop.
const START = [process.execPath, '--import', 'tsx', 'start.ts'];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startRefseg(args: string[], env: Record<string, string>): Run {
  const child = spawn(START[0], [...START.slice(1), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  // 'close', not 'exit': it comes after the last output has been read.
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(run: Run, text: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!run.stdout().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`refseg exited ${run.child.exitCode}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > until) throw new Error(`no "${text}" after ${ms} ms:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('npm start -- --standin', () => {
  it('runs on stand-in models, prints the page, a key that works and the warning, and stops on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-start-'));
    dirs.push(dir);
    const run = startRefseg(['--standin'], {
      XDG_CACHE_HOME: join(dir, 'cache'),
      REFSEG_DB: join(dir, 'edge.sqlite'),
      REFSEG_EDGE_PORT: '0',
      REFSEG_GPU_PORT: '0',
      REFSEG_LOG: 'off',
    });
    try {
      await waitFor(run, 'Ctrl+C stops refseg.', 90_000);
      const out = run.stdout();
      const page = /Open (http:\/\/127\.0\.0\.1:\d+)\/ in a browser/.exec(out);
      const key = /API key \(tenant "local"\): (rsk_\w+)/.exec(out);
      expect(page, out).not.toBeNull();
      expect(key, out).not.toBeNull();
      expect(out).toContain(STANDIN_WARNING);
      const samples = /one reference per class\): (.+)$/m.exec(out)![1];
      expect(await readdir(samples)).toEqual(expect.arrayContaining(['target.png', 'ref-1-red.png', 'README.txt']));
      expect(await readFile(join(samples, 'README.txt'), 'utf8')).toContain('ref-1-red.png  class red  box 90,95,60,45');

      const base = page![1];
      const info = await (await fetch(`${base}/v1/info`)).json();
      expect(info.standin).toBe(true);
      const banks = await fetch(`${base}/v1/banks`, { headers: { Authorization: `Bearer ${key![1]}` } });
      expect(banks.status).toBe(200);
      expect(await banks.json()).toEqual({ banks: [] });
      const wrong = await fetch(`${base}/v1/banks`, { headers: { Authorization: `Bearer rsk_${'0'.repeat(64)}` } });
      expect(wrong.status).toBe(401);
      await wrong.body?.cancel();
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it('at a terminal without real models, asks, starts on stand-ins when told to, and stops on Ctrl+C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-start-tty-'));
    dirs.push(dir);
    // util-linux `script` gives the launcher a pseudo-terminal, so stdin and stdout are TTYs.
    // `exec`: script runs its command through $SHELL, and Debian's dash (CI has no SHELL set)
    // stays as refseg's parent; Ctrl+C reaches the whole group, refseg stops cleanly with 0, then
    // dash dies of the SIGINT it received too (130), as a POSIX shell should.
    const child = spawn('script', ['-qec', `exec ${START.join(' ')}`, '/dev/null'], {
      cwd: ROOT,
      env: {
        ...process.env,
        XDG_CACHE_HOME: join(dir, 'cache'),
        REFSEG_MODELS_DIR: join(dir, 'models'),
        REFSEG_DB: join(dir, 'edge.sqlite'),
        REFSEG_EDGE_PORT: '0',
        REFSEG_GPU_PORT: '0',
        REFSEG_LOG: 'off',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
    const until = async (text: string) => {
      for (let t = 0; !out.includes(text); t += 100) {
        if (t > 90_000 || child.exitCode !== null) throw new Error(`no "${text}":\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until('Your choice [D/s/q]: ');
      expect(out).toContain(`sam2.1-hiera-tiny and dinov2-small are not in ${join(dir, 'models')}`);
      child.stdin!.write('s\n');
      await until('Ctrl+C stops refseg.');
      expect(out).toContain(STANDIN_WARNING);
      expect(out).toMatch(/API key \(tenant "local"\): rsk_\w+/);
      child.stdin!.write('\x03');
      expect(await exited).toBe(0);
      expect(out).toContain('Stopping…');
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  });

  it('refuses an unknown argument with the usage line', async () => {
    const run = startRefseg(['--stand-in'], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('unknown argument --stand-in');
    expect(run.stderr()).toContain('usage: npm start [-- --standin]');
  });
});

describe('first-run pieces', () => {
  it('npm start runs start.ts in one node process, tsx as a loader', async () => {
    const scripts = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.start).toBe(['node', ...START.slice(1)].join(' '));
  });

  it('parses --standin and nothing else', () => {
    expect(parseStartArgs([])).toEqual({ standin: false });
    expect(parseStartArgs(['--standin'])).toEqual({ standin: true });
    expect(() => parseStartArgs(['--standin', '-x'])).toThrow(/unknown argument -x/);
  });

  it('asks what to do when models are missing, until it gets an answer it knows', async () => {
    const ask = async (typed: string) => {
      const input = new PassThrough();
      const output = new PassThrough();
      let shown = '';
      output.on('data', (d) => (shown += d));
      input.end(typed);
      return { answer: await askWhenModelsMissing(['sam2.1-hiera-tiny', 'dinov2-small'], '/models', { input, output }), shown };
    };
    const first = await ask('x\ns\n');
    expect(first.answer).toBe('standin');
    expect(first.shown).toContain('sam2.1-hiera-tiny and dinov2-small are not in /models');
    expect(first.shown).toContain('mean nothing on real photos');
    expect(first.shown.match(/Your choice/g)).toHaveLength(2);
    expect((await ask('\n')).answer).toBe('download');
    expect((await ask('Q\n')).answer).toBe('quit');
    expect((await ask('')).answer).toBe('quit');
  });

  it('makes a key only for loopback addresses and says what runs', () => {
    expect(isLocalUrl('http://127.0.0.1:8787')).toBe(true);
    expect(isLocalUrl('http://localhost:8787')).toBe(true);
    expect(isLocalUrl('http://[::1]:8787')).toBe(true);
    expect(isLocalUrl('http://0.0.0.0:8787')).toBe(false);
    expect(isLocalUrl('http://10.1.2.3:8787')).toBe(false);
    const real = welcomeLines({ edgeUrl: 'http://h:1', key: null, standin: false }).join('\n');
    expect(real).toContain('Open http://h:1/ in a browser');
    expect(real).toContain('no key was made');
    expect(real).not.toContain(STANDIN_WARNING);
  });
});
