// What the CUDA execution provider needs and what this machine has: onnxruntime-node's provider
// libraries (installed apart, `npm run install:cuda`), the CUDA 12 / cuDNN 9 libraries they link,
// and an NVIDIA driver. onnxruntime itself only says "Failed to load shared library"; this says which.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Provider libraries onnxruntime-node 1.x's install script puts in bin/napi-v6/linux/x64. */
export const PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] as const;

/**
 * Libraries the CUDA 12 provider of onnxruntime 1.2x/1.30 links (onnxruntime's CUDA EP
 * requirements: CUDA 12.x, cuDNN 9.x), and the driver's libcuda that the CUDA runtime opens.
 * Checked by name when the provider library itself is absent and ldd cannot be asked.
 */
export const CUDA_RUNTIME_LIBRARIES = [
  'libcudart.so.12',
  'libcublas.so.12',
  'libcublasLt.so.12',
  'libcufft.so.11',
  'libcurand.so.10',
  'libcudnn.so.9',
  'libcuda.so.1',
] as const;

export interface LinkedLibrary {
  name: string;
  /** Resolved path, or null when the loader cannot find it. */
  path: string | null;
}

export interface CudaReport {
  platform: string;
  /** Folder of onnxruntime-node's native binaries for this platform. */
  binDir: string;
  providerFiles: { name: string; present: boolean }[];
  /** How the CUDA libraries were looked for. */
  method: 'ldd' | 'search' | 'none';
  libraries: LinkedLibrary[];
  /** `nvidia-smi` lines (name, driver, memory), null when there is no nvidia-smi. */
  gpus: string[] | null;
  /** Why a lookup could not be done. */
  notes: string[];
}

type Exec = (file: string, args: readonly string[]) => Promise<{ stdout: string } | { error: string }>;

export const runTool: Exec = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout });
      // nvidia-smi without a working driver exits non-zero and explains on stdout.
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} not found` : stderr.trim() || stdout.trim() || err.message;
      resolve({ error: why.split('\n')[0] });
    });
  });

/** `ldd` output → every needed library with its resolved path (null: "not found"). */
export function parseLdd(text: string): LinkedLibrary[] {
  const out: LinkedLibrary[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(not found|(\S+))/.exec(line);
    if (m) out.push({ name: m[1], path: m[2] === 'not found' ? null : m[3] });
  }
  return out;
}

/** `ldconfig -p` output → library name → first path. */
export function parseLdconfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
    if (m && m[2].includes('x86-64') && !out.has(m[1])) out.set(m[1], m[3]);
  }
  return out;
}

/** The folders of LD_LIBRARY_PATH, searched first, as the loader does. */
async function inLibraryPath(name: string, ldLibraryPath: string | undefined): Promise<string | null> {
  for (const dir of (ldLibraryPath ?? '').split(':').filter(Boolean)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.includes(name)) return join(dir, name);
  }
  return null;
}

/** Libraries of the CUDA provider that matter: CUDA, cuBLAS, cuFFT, cuRAND, cuDNN, the driver, and onnxruntime's own. */
const RELEVANT = /^lib(cuda|cudart|cublas|cublasLt|cufft|curand|cudnn|nvrtc|onnxruntime)/;

export async function cudaReport(opts: { ortDir: string; env: Readonly<Record<string, string | undefined>>; exec?: Exec; platform?: string }): Promise<CudaReport> {
  const exec = opts.exec ?? runTool;
  const platform = opts.platform ?? `${process.platform}/${process.arch}`;
  const binDir = join(opts.ortDir, 'bin', 'napi-v6', platform);
  const providerFiles = PROVIDER_LIBRARIES.map((name) => ({ name, present: existsSync(join(binDir, name)) }));
  const notes: string[] = [];
  let method: CudaReport['method'] = 'none';
  let libraries: LinkedLibrary[] = [];

  if (platform !== 'linux/x64') {
    notes.push(`onnxruntime-node ships its CUDA provider for linux/x64 only (this is ${platform})`);
  } else {
    const cudaLib = join(binDir, 'libonnxruntime_providers_cuda.so');
    const ldd = providerFiles.every((f) => f.present) ? await exec('ldd', [cudaLib]) : undefined;
    if (ldd && 'stdout' in ldd) {
      method = 'ldd';
      libraries = parseLdd(ldd.stdout).filter((l) => RELEVANT.test(l.name));
    } else {
      if (ldd && 'error' in ldd) notes.push(`ldd: ${ldd.error}`);
      method = 'search';
      const cache = await exec('ldconfig', ['-p']);
      const known = 'stdout' in cache ? parseLdconfig(cache.stdout) : new Map<string, string>();
      if ('error' in cache) notes.push(`ldconfig -p: ${cache.error}`);
      for (const name of CUDA_RUNTIME_LIBRARIES) libraries.push({ name, path: (await inLibraryPath(name, opts.env.LD_LIBRARY_PATH)) ?? known.get(name) ?? null });
    }
  }
  const smi = await exec('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
  const gpus = 'stdout' in smi ? smi.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : null;
  if ('error' in smi) notes.push(`nvidia-smi: ${smi.error}`);
  return { platform, binDir, providerFiles, method, libraries, gpus, notes };
}
