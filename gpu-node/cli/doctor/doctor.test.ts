// The parts of `refseg doctor` that read a GPU machine, fed with what such a machine prints (this
// one has no GPU, no CUDA and no driver): ldd and ldconfig output, and the fixes they lead to.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cudaReport, parseLdconfig, parseLdd, runTool } from './cuda.ts';
import type { CudaReport } from './cuda.ts';
import { findingsOf } from './findings.ts';
import type { FindingInputs } from './findings.ts';

const LDD = `	linux-vdso.so.1 (0x00007ffd7b9f2000)
	libonnxruntime_providers_shared.so => /app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so (0x00007f1)
	libcublasLt.so.12 => /usr/local/cuda/lib64/libcublasLt.so.12 (0x00007f2)
	libcublas.so.12 => /usr/local/cuda/lib64/libcublas.so.12 (0x00007f3)
	libcurand.so.10 => /usr/local/cuda/lib64/libcurand.so.10 (0x00007f4)
	libcufft.so.11 => /usr/local/cuda/lib64/libcufft.so.11 (0x00007f5)
	libcudart.so.12 => /usr/local/cuda/lib64/libcudart.so.12 (0x00007f6)
	libcudnn.so.9 => not found
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f7)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f8)
`;

const LDCONFIG = `4 libs found in cache \`/etc/ld.so.cache'
	libcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12
	libcudart.so.12 (libc6) => /usr/lib32/libcudart.so.12
	libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1
	libz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1
`;

describe('reading the loader', () => {
  it('parseLdd keeps every needed library with its path, null for "not found"', () => {
    const libs = parseLdd(LDD);
    expect(libs.find((l) => l.name === 'libcudnn.so.9')).toEqual({ name: 'libcudnn.so.9', path: null });
    expect(libs.find((l) => l.name === 'libcublas.so.12')?.path).toBe('/usr/local/cuda/lib64/libcublas.so.12');
    expect(libs.map((l) => l.name)).not.toContain('linux-vdso.so.1');
    expect(libs).toHaveLength(9);
  });

  it('parseLdconfig takes the x86-64 entry of each name', () => {
    const m = parseLdconfig(LDCONFIG);
    expect(m.get('libcudart.so.12')).toBe('/usr/local/cuda/lib64/libcudart.so.12');
    expect(m.get('libcuda.so.1')).toBe('/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(m.size).toBe(3);
  });
});

describe('runTool', () => {
  it('a missing tool, a failing tool that explains on stdout (nvidia-smi without a driver), a working one', async () => {
    expect(await runTool('refseg-no-such-tool', [])).toEqual({ error: 'refseg-no-such-tool not found' });
    const failing = await runTool('sh', ['-c', "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"; exit 9"]);
    expect(failing).toEqual({ error: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." });
    expect(await runTool('sh', ['-c', 'echo ok'])).toEqual({ stdout: 'ok\n' });
  });
});

describe('cudaReport', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function ortDir(withProvider: boolean): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-doctor-ort-'));
    dirs.push(dir);
    const bin = join(dir, 'bin', 'napi-v6', 'linux', 'x64');
    await mkdir(bin, { recursive: true });
    if (withProvider) for (const f of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']) await writeFile(join(bin, f), 'x');
    return dir;
  }

  it('asks ldd about the installed provider library, keeping the CUDA and onnxruntime libraries', async () => {
    const asked: string[] = [];
    const r = await cudaReport({
      ortDir: await ortDir(true),
      env: {},
      platform: 'linux/x64',
      exec: async (file, args) => {
        asked.push(`${file} ${args.join(' ')}`);
        if (file === 'ldd') return { stdout: LDD };
        return { stdout: 'NVIDIA L4, 550.54.15, 23034 MiB\n' };
      },
    });
    expect(r.method).toBe('ldd');
    expect(asked[0]).toMatch(/^ldd .*bin\/napi-v6\/linux\/x64\/libonnxruntime_providers_cuda\.so$/);
    expect(r.libraries.map((l) => l.name)).toEqual([
      'libonnxruntime_providers_shared.so',
      'libcublasLt.so.12',
      'libcublas.so.12',
      'libcurand.so.10',
      'libcufft.so.11',
      'libcudart.so.12',
      'libcudnn.so.9',
    ]);
    expect(r.gpus).toEqual(['NVIDIA L4, 550.54.15, 23034 MiB']);
  });

  it('without the provider library, searches LD_LIBRARY_PATH first, then the ldconfig cache', async () => {
    const lib = await mkdtemp(join(tmpdir(), 'refseg-doctor-lib-'));
    dirs.push(lib);
    await writeFile(join(lib, 'libcudnn.so.9'), 'x');
    const r = await cudaReport({
      ortDir: await ortDir(false),
      env: { LD_LIBRARY_PATH: `/nonexistent:${lib}` },
      platform: 'linux/x64',
      exec: async (file) => (file === 'ldconfig' ? { stdout: LDCONFIG } : { error: `${file} not found` }),
    });
    expect(r.method).toBe('search');
    const path = Object.fromEntries(r.libraries.map((l) => [l.name, l.path]));
    expect(path['libcudnn.so.9']).toBe(join(lib, 'libcudnn.so.9'));
    expect(path['libcudart.so.12']).toBe('/usr/local/cuda/lib64/libcudart.so.12');
    expect(path['libcublas.so.12']).toBeNull();
    expect(r.gpus).toBeNull();
    expect(r.notes).toEqual(['nvidia-smi: nvidia-smi not found']);
  });

  it('on a platform without a CUDA build, looks for nothing', async () => {
    const r = await cudaReport({ ortDir: await ortDir(false), env: {}, platform: 'darwin/arm64', exec: async () => ({ error: 'nvidia-smi not found' }) });
    expect(r.method).toBe('none');
    expect(r.notes[0]).toContain('linux/x64 only (this is darwin/arm64)');
  });
});

describe('what to fix', () => {
  const cuda = (over: Partial<CudaReport>): CudaReport => ({
    platform: 'linux/x64',
    binDir: '/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64',
    providerFiles: [
      { name: 'libonnxruntime_providers_shared.so', present: true },
      { name: 'libonnxruntime_providers_cuda.so', present: true },
    ],
    method: 'ldd',
    libraries: parseLdd(LDD),
    gpus: ['NVIDIA L4, 550.54.15, 23034 MiB'],
    notes: [],
    ...over,
  });
  const inputs = (over: Partial<FindingInputs>): FindingInputs => ({
    node: { version: 'v20.20.2', required: '>= 20.19', ok: true },
    providers: [
      { provider: 'cpu', loaded: true, ms: 5 },
      { provider: 'cuda', loaded: false, error: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library', ms: 5 },
    ],
    cuda: cuda({}),
    wanted: 'auto',
    presets: [],
    smoke: { ran: false, reason: '--skip-smoke' },
    ...over,
  });

  it('a GPU machine without cuDNN: names exactly the missing library', () => {
    const f = findingsOf(inputs({}));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', what: 'CUDA 12 / cuDNN 9 libraries not found: libcudnn.so.9.' });
  });

  it('the same is a problem when --provider cuda was asked for', () => {
    expect(findingsOf(inputs({ wanted: 'cuda' })).map((x) => x.severity)).toEqual(['problem']);
  });

  it('provider not installed → npm run install:cuda', () => {
    const f = findingsOf(inputs({ cuda: cuda({ providerFiles: [{ name: 'libonnxruntime_providers_cuda.so', present: false }], method: 'search', libraries: [] }) }));
    expect(f.map((x) => x.fix)).toEqual(['npm run install:cuda   (downloads it from NuGet; docs/deploy.md, "CUDA")']);
  });

  it('no driver → the container toolkit, not a library install', () => {
    const f = findingsOf(inputs({ cuda: cuda({ libraries: parseLdd(LDD.replace('libcudnn.so.9 => not found', 'libcudnn.so.9 => /x/libcudnn.so.9 (0x1)')), gpus: null }) }));
    expect(f).toHaveLength(1);
    expect(f[0].what).toBe('No NVIDIA driver or GPU seen (no nvidia-smi).');
    expect(f[0].fix).toContain('--gpus all');
  });

  it('everything found but CUDA still fails → says so with onnxruntime\'s error', () => {
    const libs = parseLdd(LDD.replace('libcudnn.so.9 => not found', 'libcudnn.so.9 => /x/libcudnn.so.9 (0x1)'));
    const f = findingsOf(inputs({ cuda: cuda({ libraries: libs }) }));
    expect(f).toHaveLength(1);
    expect(f[0].what).toContain('Everything the CUDA provider needs is found, yet it does not load: OrtSessionOptionsAppendExecutionProvider_Cuda');
  });

  it('CUDA loading → nothing about CUDA; an old Node → a problem', () => {
    const f = findingsOf(
      inputs({
        node: { version: 'v20.11.0', required: '>= 20.19', ok: false },
        providers: [
          { provider: 'cpu', loaded: true, ms: 5 },
          { provider: 'cuda', loaded: true, ms: 900 },
        ],
      }),
    );
    expect(f.map((x) => [x.severity, x.what])).toEqual([['problem', 'Node.js v20.11.0 is older than refseg needs (>= 20.19).']]);
  });
});
