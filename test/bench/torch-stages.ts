// Runs torch_stages.py (the official post-model stages in PyTorch) on a synthetic scene, when a
// python3 with torch and torchvision is on this machine: the PyTorch side of matching.bench.ts's
// speed-up ratio. The project never needs Python; without it the bench says why it has no ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Timing } from './harness.ts';
import type { SyntheticScene } from './synthetic.ts';

export type TorchResult =
  | { ok: true; timing: Timing; version: string; detections: number[]; stages: Record<string, number> }
  | { ok: false; reason: string };

/** REFSEG_BENCH_PYTHON first, then the python3 on PATH, then Debian's (python3-torch). */
function findPython(): string | null {
  const candidates = [process.env.REFSEG_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) ?? null;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function torchStages(scene: SyntheticScene, runs: number): TorchResult {
  const python = findPython();
  if (python === null) return { ok: false, reason: 'no python3 with torch and torchvision (set REFSEG_BENCH_PYTHON)' };
  const dir = mkdtempSync(join(tmpdir(), 'refseg-torch-'));
  try {
    const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const n = scene.iou.length;
    const { rows, cols, dim } = scene.features;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ n, rows, cols, dim, classes: scene.prototypes.length, height: scene.height, width: scene.width }));
    writeFileSync(join(dir, 'logits.f32'), bytes(scene.lowResLogits));
    writeFileSync(join(dir, 'iou.f32'), bytes(scene.iou));
    writeFileSync(join(dir, 'features.f32'), bytes(scene.features.data));
    const protos = new Float32Array(scene.prototypes.length * dim);
    scene.prototypes.forEach((p, c) => protos.set(p, c * dim));
    writeFileSync(join(dir, 'prototypes.f32'), bytes(protos));
    const child = spawnSync(python, [join(import.meta.dirname, 'torch_stages.py'), dir, String(runs)], {
      encoding: 'utf8',
      // One thread, as the JS side runs.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) return { ok: false, reason: `torch_stages.py failed: ${child.stderr.trim().split('\n').at(-1)}` };
    const out = JSON.parse(child.stdout) as { ms: number[]; stages: Record<string, number>; torch: string; blas: string; detections: number[] };
    return {
      ok: true,
      timing: { medianMs: median(out.ms), minMs: Math.min(...out.ms), cpuMs: Number.NaN, runs: out.ms.length },
      version: `torch ${out.torch} (BLAS ${out.blas})`,
      detections: out.detections,
      stages: out.stages,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
