// `refseg doctor`: can this machine be a gpu-node, and if not, what to do. Node and onnxruntime
// versions, the execution providers that really load (and for CUDA, which library is missing),
// the model presets on disk with sizes and hashes, one image through the pipeline with the time
// of each stage, and a numbered list of fixes. Exit 1 when something is a problem (not a warning).
import { availableParallelism } from 'node:os';
import type { Provider } from '../../models/index.ts';
import { loadPresets, modelsDir } from '../../model-store/index.ts';
import { UsageError, defineCommand, intOption } from '../command.ts';
import { MODEL_OPTIONS } from './model-options.ts';

/** package.json `engines.node`, as a comparable triple. */
const REQUIRED_NODE = [20, 19, 0] as const;

function nodeOk(version: string): boolean {
  const v = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((v[i] ?? 0) !== REQUIRED_NODE[i]) return (v[i] ?? 0) > REQUIRED_NODE[i];
  return true;
}

export const doctor = defineCommand({
  name: 'doctor',
  summary: 'Check this machine as a gpu-node: runtime, CUDA, models, one timed image',
  description:
    'Prints the Node and onnxruntime versions, which execution providers load (for CUDA: the provider and CUDA/cuDNN libraries found or ' +
    'missing, and the GPUs), the model presets on disk with sizes and SHA-256, one generated image through the pipeline with per-stage ' +
    'times, and what to fix. Exits 1 when it found a problem, 0 when only warnings.',
  options: {
    ...MODEL_OPTIONS,
    provider: { type: 'string', valueName: 'auto|cpu|cuda', default: 'auto', description: 'Provider of the smoke run; auto: cuda when it loads, else cpu. With cuda, CUDA not loading is a problem, not a warning' },
    grid: { type: 'string', valueName: 'n', default: '8', description: 'Points per side of the smoke run (8: 64 prompts; 32: the paper\'s 1024)' },
    'skip-hash': { type: 'boolean', description: 'Do not hash the model files (large presets take seconds per GB)' },
    'skip-smoke': { type: 'boolean', description: 'No smoke run' },
    json: { type: 'boolean', description: 'The whole report as JSON' },
  },
  examples: ['refseg doctor', 'refseg doctor --provider cuda --grid 32', 'refseg doctor --sam2 ./models/sam2 --dinov2 ./models/dinov2.onnx --json'],
  async run(ctx) {
    const v = ctx.values;
    if (v.provider !== 'auto' && v.provider !== 'cpu' && v.provider !== 'cuda') throw new UsageError(`--provider must be auto, cpu or cuda, not "${v.provider}".`);
    const grid = intOption(v.grid, '--grid', 1)!;
    if (grid > 128) throw new UsageError('--grid must be at most 128.');
    const threads = intOption(v.threads, '--threads', 0)!;

    const { onnxruntimeInfo, probeProvider } = await import('../../models/probe.ts');
    const { cudaReport } = await import('../doctor/cuda.ts');
    const { checkPresets } = await import('../doctor/models.ts');
    const { findingsOf } = await import('../doctor/findings.ts');
    const { renderReport } = await import('../doctor/report.ts');
    const { locateModels } = await import('../../local/model-paths.ts');
    type Report = import('../doctor/report.ts').DoctorReport;

    const progress = (line: string) => {
      if (!v.json) ctx.stderr.write(`${line}\n`);
    };
    const node = { version: process.version, required: `>= ${REQUIRED_NODE.slice(0, 2).join('.')}`, ok: nodeOk(process.version) };
    const onnxruntime = onnxruntimeInfo();
    progress('checking execution providers…');
    const providers = [await probeProvider('cpu'), await probeProvider('cuda')];
    const cuda = await cudaReport({ ortDir: onnxruntime.packageDir, env: ctx.env });

    const dir = v.models ?? modelsDir(ctx.env);
    const presets = await loadPresets(ctx.env);
    if (!v['skip-hash']) progress(`hashing the model files in ${dir}…`);
    const checked = await checkPresets(dir, presets, !v['skip-hash']);

    const cudaLoads = providers.some((p) => p.provider === 'cuda' && p.loaded);
    const provider: Provider = v.provider === 'auto' ? (cudaLoads ? 'cuda' : 'cpu') : v.provider;
    let smoke: Report['smoke'];
    if (v['skip-smoke']) {
      smoke = { ran: false, reason: '--skip-smoke' };
    } else {
      const where = await locateModels({ dir, sam2: v.sam2, dinov2: v.dinov2 }, ctx.env);
      if (where.missing.length > 0) {
        const ids = where.missing.map((p) => p.id);
        smoke = { ran: false, reason: `${ids.join(' and ')} not downloaded`, missing: ids };
      } else {
        progress(`smoke run on ${provider} (${grid}×${grid} prompts)…`);
        const { runSmoke } = await import('../doctor/smoke.ts');
        try {
          const result = await runSmoke({ sam2Dir: where.sam2Dir, dinoPath: where.dinoPath, provider, threads, removeNoMemEmbed: v['keep-no-mem-embed'] !== true, grid });
          smoke = { ran: true, sam2Dir: where.sam2Dir, dinoPath: where.dinoPath, grid, result };
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          smoke = { ran: false, reason: 'failed', sam2Dir: where.sam2Dir, dinoPath: where.dinoPath, error };
        }
      }
    }

    const report: Report = {
      node,
      platform: `${process.platform}/${process.arch}`,
      cpus: availableParallelism(),
      onnxruntime,
      providers,
      cuda,
      models: { dir, presets: checked, hashed: !v['skip-hash'] },
      smoke,
      findings: [],
    };
    report.findings = findingsOf({ node, providers, cuda, wanted: v.provider, presets: checked, smoke });
    ctx.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return report.findings.some((f) => f.severity === 'problem') ? 1 : 0;
  },
});
