// Options the dataset commands (`bank build`, `eval`) share: where the models run (in this
// process, with the local commands' model options, or on a gpu-node) and which proposals. Heavy
// modules are imported inside the functions, so `refseg --help` stays fast.
import { ProposalPresetSchema } from '../../../shared/schemas.ts';
import type { ProposalPreset } from '../../../shared/schemas.ts';
import type { DatasetBackend, ProposalChoice } from '../../datasets/backend.ts';
import { UsageError, intOption } from '../command.ts';
import type { OptionSpec, OptionValues } from '../command.ts';
import { MODEL_OPTIONS, openPipelineFrom } from './model-options.ts';

export const BACKEND_OPTIONS = {
  ...MODEL_OPTIONS,
  'gpu-node': { type: 'string', valueName: 'url', description: 'Run the models on this gpu-node instead of in this process' },
  secret: { type: 'string', valueName: 's', description: 'The gpu-node\'s shared secret (default: $REFSEG_GPU_SECRET)' },
  preset: { type: 'string', valueName: 'official|sam2-amg|device-16|device-8', default: 'official', description: 'Proposal preset' },
} as const satisfies Record<string, OptionSpec>;

type BackendValues = OptionValues<typeof BACKEND_OPTIONS>;

export function presetOption(value: string | undefined): ProposalPreset {
  const parsed = ProposalPresetSchema.safeParse(value ?? 'official');
  if (!parsed.success) throw new UsageError(`--preset must be one of ${ProposalPresetSchema.options.join(', ')}, not "${value}".`);
  return parsed.data;
}

/** The preset, or with `--points-per-side` the preset with another grid (models in this process only). */
export function proposalsOption(preset: ProposalPreset, pointsPerSide: string | undefined): ProposalChoice {
  const n = intOption(pointsPerSide, '--points-per-side', 1);
  if (n === undefined) return preset;
  if (preset !== 'official' && preset !== 'sam2-amg') throw new UsageError(`--points-per-side cannot go with --preset ${preset}, which names its own grid.`);
  return { preset, pointsPerSide: n };
}

/** Opens the backend the options name: a gpu-node (`--gpu-node`), else models in this process (`workers` model worker threads). */
export async function openBackend(
  values: BackendValues,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
  workers?: number,
): Promise<DatasetBackend> {
  const url = values['gpu-node'];
  if (url !== undefined) {
    const secret = values.secret ?? env.REFSEG_GPU_SECRET;
    if (!secret) throw new UsageError('--gpu-node needs --secret (or $REFSEG_GPU_SECRET).');
    for (const local of ['models', 'sam2', 'dinov2'] as const) {
      if (values[local] !== undefined) throw new UsageError(`--${local} is for models in this process; it cannot go with --gpu-node.`);
    }
    const { openGpuNodeBackend } = await import('../../datasets/gpu-node-backend.ts');
    return openGpuNodeBackend({ url, secret });
  }
  const { localBackend } = await import('../../datasets/local-backend.ts');
  return localBackend(await openPipelineFrom(values, { env, log, ...(workers === undefined ? {} : { workers }) }));
}
