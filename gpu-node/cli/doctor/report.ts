// What `refseg doctor` found, and how it is shown: sections of facts, then a numbered list of
// what to fix. Findings are plain data so `--json` and the text view say the same thing.
import type { OnnxruntimeInfo, ProviderProbe } from '../../models/probe.ts';
import { formatBytes } from '../progress.ts';
import { columns } from '../table.ts';
import type { CudaReport } from './cuda.ts';
import type { CheckedFile, CheckedPreset } from './models.ts';
import type { SmokeResult } from './smoke.ts';

export type Severity = 'problem' | 'warning';

export interface Finding {
  severity: Severity;
  /** What is wrong, in one sentence. */
  what: string;
  /** The command or step that fixes it. */
  fix: string;
}

export interface DoctorReport {
  node: { version: string; required: string; ok: boolean };
  platform: string;
  cpus: number;
  onnxruntime: OnnxruntimeInfo;
  providers: ProviderProbe[];
  cuda: CudaReport;
  models: { dir: string; presets: CheckedPreset[]; hashed: boolean };
  smoke:
    | { ran: true; sam2Dir: string; dinoPath: string; grid: number; result: SmokeResult }
    | { ran: false; reason: string; sam2Dir?: string; dinoPath?: string; error?: string; missing?: string[] };
  findings: Finding[];
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

function fileLine(f: CheckedFile): string[] {
  const size = f.bytes === null ? '-' : formatBytes(f.bytes);
  const hash = f.sha256 ? `sha256 ${f.sha256.slice(0, 16)}…` : '';
  const verdict: Record<CheckedFile['verdict'], string> = {
    ok: 'ok (sha256 matches the preset)',
    unverified: 'no published sha256 to compare',
    'sha256-mismatch': `SHA-256 MISMATCH (preset: ${f.expectedSha256?.slice(0, 16)}…)`,
    'size-mismatch': `SIZE MISMATCH (preset: ${f.expectedSize === null ? '?' : formatBytes(f.expectedSize)}, ${f.expectedSize} B; on disk ${f.bytes} B)`,
    partial: 'partly downloaded (.part)',
    missing: 'missing',
    'not-hashed': 'not hashed (--skip-hash)',
  };
  return [f.name, size, hash, verdict[f.verdict]];
}

export function renderReport(r: DoctorReport): string {
  const out: string[] = ['refseg doctor', ''];
  out.push('Runtime');
  out.push(
    ...columns(
      [
        ['Node.js', `${r.node.version} (needs ${r.node.required})`, r.node.ok ? 'ok' : 'TOO OLD'],
        ['onnxruntime-node', r.onnxruntime.version, r.onnxruntime.packageDir],
        ['platform', `${r.platform}, ${r.cpus} CPU${r.cpus === 1 ? '' : 's'}`, ''],
      ],
      2,
    ),
  );
  out.push('', 'Execution providers');
  for (const p of r.providers) {
    out.push(`  ${p.provider.padEnd(5)} ${p.loaded ? `loads (probe session ${ms(p.ms)})` : `does not load: ${p.error}`}`);
  }
  const c = r.cuda;
  out.push(`  CUDA provider libraries in ${c.binDir}:`);
  out.push(...columns(c.providerFiles.map((f) => [f.name, f.present ? 'present' : 'missing']), 4));
  if (c.method !== 'none') {
    out.push(c.method === 'ldd' ? '  Libraries the CUDA provider links (ldd):' : '  CUDA 12 / cuDNN 9 libraries (searched LD_LIBRARY_PATH and the ldconfig cache):');
    out.push(...columns(c.libraries.map((l) => [l.name, l.path ?? 'NOT FOUND']), 4));
  }
  out.push(`  GPUs: ${c.gpus === null ? 'none seen (no nvidia-smi)' : c.gpus.length === 0 ? 'none listed by nvidia-smi' : c.gpus.join('; ')}`);
  for (const note of c.notes) out.push(`  note: ${note}`);

  out.push('', `Model presets in ${r.models.dir}`);
  if (r.models.presets.length === 0) out.push('  none downloaded');
  for (const p of r.models.presets) {
    out.push(`  ${p.id} (${p.family}, ${p.state})`);
    out.push(...columns(p.files.map(fileLine), 4));
  }

  out.push('');
  if (!r.smoke.ran) {
    out.push(`Smoke run: not run (${r.smoke.reason})`);
  } else {
    const { result: s, grid } = r.smoke;
    out.push(`Smoke run: one ${640}×${480} image, ${s.provider}, official grid ${grid}×${grid} = ${s.prompts} prompts`);
    const nme = s.sam2.noMemEmbed === 'removed' ? `no_mem_embed removed${s.sam2.noMemEmbedNode ? ` (${s.sam2.noMemEmbedNode})` : ''}` : 'no_mem_embed kept';
    out.push(`  SAM2: ${r.smoke.sam2Dir} (${s.sam2.layout} layout, ${nme})`, `  DINOv2: ${r.smoke.dinoPath}`, `  model id: ${s.modelId}`, `  models loaded in ${ms(s.loadMs)}`);
    if (s.fallback) out.push(`  CUDA was asked for and did not start: ${s.fallback}`);
    const rows = [['stage', 'calls', 'time', '']];
    for (const st of s.stages) {
      const per = st.stage === 'sam2-decoder' ? `${(st.ms / s.prompts).toFixed(1)} ms per prompt` : '';
      rows.push([st.stage, String(st.calls), ms(st.ms), per]);
    }
    rows.push(['whole image', '', ms(s.totalMs), `${s.candidates} candidate${s.candidates === 1 ? '' : 's'}`]);
    out.push(...columns(rows, 2));
    const summed = s.stages.reduce((t, st) => t + st.ms, 0);
    if (summed > s.totalMs * 1.05) out.push('  (stage times add up to more than the whole: the SAM2 encoder and DINOv2 run at the same time)');
    const dec = s.stages.find((st) => st.stage === 'sam2-decoder');
    if (dec && s.prompts !== 1024) {
      const rest = s.totalMs - dec.ms;
      out.push(`  the paper's 1024 prompts would take about ${ms(rest + (dec.ms / s.prompts) * 1024)} per image here (--grid 32 runs them)`);
    }
  }

  out.push('');
  if (r.findings.length === 0) {
    out.push('Nothing to fix.');
  } else {
    out.push('What to fix');
    r.findings.forEach((f, i) => out.push(`  ${i + 1}. [${f.severity}] ${f.what}`, `     → ${f.fix}`));
  }
  const problems = r.findings.filter((f) => f.severity === 'problem').length;
  out.push('', `${problems} problem${problems === 1 ? '' : 's'}, ${r.findings.length - problems} warning${r.findings.length - problems === 1 ? '' : 's'}.`, '');
  return out.join('\n');
}
