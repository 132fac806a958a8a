// Options shared by the commands that run the models locally (segment, serve-gpu), and opening
// the pipeline from them. Heavy modules load only when a command runs.
import type { OptionSpec, OptionValues } from '../command.ts';
import { UsageError, intOption } from '../command.ts';
import type { GpuPipeline } from '../../pipeline/index.ts';

export const MODEL_OPTIONS = {
  models: { type: 'string', valueName: 'dir', description: 'Models folder with downloaded presets (default: $REFSEG_MODELS_DIR, else ~/.cache/refseg/models)' },
  sam2: { type: 'string', valueName: 'preset|dir', description: 'SAM2 preset id, or a folder with its encoder and decoder .onnx (default: the default preset)' },
  dinov2: { type: 'string', valueName: 'preset|file', description: 'DINOv2 preset id, or its .onnx file (default: the default preset)' },
  provider: { type: 'string', valueName: 'cpu|cuda', default: 'cpu', description: 'Execution provider; cuda falls back to cpu when it cannot start' },
  threads: { type: 'string', valueName: 'n', default: '0', description: 'Threads per model session (0: one per core)' },
  'keep-no-mem-embed': {
    type: 'boolean',
    description: "Keep SAM2's no_mem_embed in the encoder (SAM2's own predictor); by default it is removed, as in the paper's pipeline",
  },
} as const satisfies Record<string, OptionSpec>;

type ModelValues = OptionValues<typeof MODEL_OPTIONS>;

export interface OpenFromOptions {
  env: Readonly<Record<string, string | undefined>>;
  workers?: number;
  maxQueue?: number;
  log?: (line: string) => void;
  /** Open the pipeline in a thread of its own (a server: CPU work off the thread answering HTTP). */
  thread?: boolean;
}

export async function openPipelineFrom(values: ModelValues, opts: OpenFromOptions): Promise<GpuPipeline> {
  if (values.provider !== 'cpu' && values.provider !== 'cuda') throw new UsageError(`--provider must be cpu or cuda, not "${values.provider}".`);
  const threads = intOption(values.threads, '--threads', 0)!;
  const { requireModels } = await import('../../local/model-paths.ts');
  const { openPipeline } = opts.thread ? { openPipeline: (await import('../../http/pipeline-thread.ts')).openPipelineThread } : await import('../../pipeline/index.ts');
  const location = await requireModels({ dir: values.models, sam2: values.sam2, dinov2: values.dinov2 }, opts.env);
  return openPipeline({
    sam2Dir: location.sam2Dir,
    dinoPath: location.dinoPath,
    provider: values.provider,
    threads: { intraOp: threads },
    removeNoMemEmbed: values['keep-no-mem-embed'] !== true,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.maxQueue === undefined ? {} : { maxQueue: opts.maxQueue }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
}
