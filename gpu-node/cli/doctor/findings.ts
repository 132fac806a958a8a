// From what `refseg doctor` saw to what to fix, most basic first: the runtime, the providers, the
// model files, the smoke run.
import type { Provider } from '../../models/index.ts';
import type { ProviderProbe } from '../../models/probe.ts';
import type { CudaReport } from './cuda.ts';
import type { CheckedPreset } from './models.ts';
import type { DoctorReport, Finding } from './report.ts';

export interface FindingInputs {
  node: DoctorReport['node'];
  providers: ProviderProbe[];
  cuda: CudaReport;
  /** The provider the user asked for (`auto` when none). */
  wanted: Provider | 'auto';
  presets: CheckedPreset[];
  smoke: DoctorReport['smoke'];
}

function cudaFindings(probe: ProviderProbe | undefined, c: CudaReport, severity: Finding['severity']): Finding[] {
  if (!probe || probe.loaded) return [];
  const error = probe.error ?? 'unknown error';
  if (c.platform !== 'linux/x64') {
    return [{ severity, what: `The CUDA provider does not load: onnxruntime-node has no CUDA build for ${c.platform}.`, fix: 'Run GPU nodes on linux/x64; this machine can serve on CPU (--provider cpu).' }];
  }
  const out: Finding[] = [];
  const absent = c.providerFiles.filter((f) => !f.present).map((f) => f.name);
  if (absent.length > 0) {
    out.push({
      severity,
      what: `onnxruntime-node's CUDA provider is not installed (${absent.join(', ')} missing in ${c.binDir}).`,
      fix: 'npm run install:cuda   (downloads it from NuGet; docs/deploy.md, "CUDA")',
    });
  }
  const missing = c.libraries.filter((l) => l.path === null).map((l) => l.name);
  const runtime = missing.filter((n) => n !== 'libcuda.so.1');
  if (runtime.length > 0) {
    out.push({
      severity,
      what: `CUDA 12 / cuDNN 9 libraries not found: ${runtime.join(', ')}.`,
      fix: 'Install the CUDA 12 runtime, cuBLAS, cuFFT, cuRAND and cuDNN 9 (the image deploy/gpu-node.Dockerfile is built on nvidia/cuda:12.x-cudnn-runtime), or add their folder to LD_LIBRARY_PATH.',
    });
  }
  if (missing.includes('libcuda.so.1') || c.gpus === null || c.gpus.length === 0) {
    out.push({
      severity,
      what: `No NVIDIA driver or GPU seen (${[missing.includes('libcuda.so.1') ? 'libcuda.so.1 not found' : '', c.gpus === null ? 'no nvidia-smi' : c.gpus.length === 0 ? 'nvidia-smi lists no GPU' : ''].filter(Boolean).join(', ')}).`,
      fix: 'Install the NVIDIA driver on the host; in a container, run with the NVIDIA Container Toolkit (docker run --gpus all, or a nvidia.com/gpu resource in Kubernetes).',
    });
  }
  if (out.length === 0) {
    out.push({
      severity,
      what: `Everything the CUDA provider needs is found, yet it does not load: ${error}`,
      fix: 'Check that the driver supports CUDA 12 (nvidia-smi shows "CUDA Version: 12.x" or later) and that the libraries are the versions named above.',
    });
  }
  return out;
}

function modelFindings(presets: CheckedPreset[], missingForSmoke: string[]): Finding[] {
  const out: Finding[] = [];
  for (const p of presets) {
    for (const f of p.files) {
      if (f.verdict === 'sha256-mismatch' || f.verdict === 'size-mismatch') {
        out.push({ severity: 'problem', what: `${p.id}: ${f.name} is not the preset's file (${f.verdict === 'sha256-mismatch' ? 'SHA-256' : 'size'} differs).`, fix: `rm ${f.path} && npx refseg models pull ${p.id}` });
      } else if (f.verdict === 'partial' || f.verdict === 'missing') {
        out.push({ severity: 'warning', what: `${p.id}: ${f.name} is ${f.verdict === 'partial' ? 'partly downloaded' : 'missing'}.`, fix: `npx refseg models pull ${p.id}   (resumes)` });
      }
    }
  }
  // Presets are only needed for the files a node runs; folders named with --sam2/--dinov2 do as well.
  if (missingForSmoke.length > 0) {
    out.push({
      severity: 'warning',
      what: `${presets.length === 0 ? 'No model preset is downloaded' : `${missingForSmoke.join(' and ')} ${missingForSmoke.length > 1 ? 'are' : 'is'} not downloaded`}, so there was no smoke run.`,
      fix: `npx refseg models pull ${missingForSmoke.join(' ')}   (or name model files: --sam2 <folder> --dinov2 <file>)`,
    });
  }
  return out;
}

export function findingsOf(i: FindingInputs): Finding[] {
  const out: Finding[] = [];
  if (!i.node.ok) out.push({ severity: 'problem', what: `Node.js ${i.node.version} is older than refseg needs (${i.node.required}).`, fix: 'Install Node.js 20.19 or later (nodejs.org, or the node:20 images).' });
  const cpu = i.providers.find((p) => p.provider === 'cpu');
  if (cpu && !cpu.loaded) out.push({ severity: 'problem', what: `onnxruntime's CPU provider does not load: ${cpu.error}`, fix: 'Reinstall the dependencies: rm -rf node_modules && npm ci' });
  // CUDA that does not load is only a problem when it was asked for; otherwise the node runs on CPU.
  out.push(...cudaFindings(i.providers.find((p) => p.provider === 'cuda'), i.cuda, i.wanted === 'cuda' ? 'problem' : 'warning'));
  out.push(...modelFindings(i.presets, i.smoke.ran ? [] : (i.smoke.missing ?? [])));
  if (!i.smoke.ran && i.smoke.error !== undefined) out.push({ severity: 'problem', what: `The smoke run failed: ${i.smoke.error}`, fix: 'Read the error above; `npx refseg doctor --json` has the full report.' });
  return out;
}
