// Options shared by the commands that run the models locally (segment, serve-gpu), and opening
// the pipeline from them. Heavy modules load only when a command runs.
import type { OptionSpec, OptionValues } from '../command.ts';
import { UsageError, intOption } from '../command.ts';
import type { GpuPipeline } from '../../pipeline/index.ts';
import type { Provider, Runtime } from '../../models/index.ts';

export const MODEL_OPTIONS = {
  models: { type: 'string', valueName: 'dir', description: 'Models folder with downloaded presets (default: $REFSEG_MODELS_DIR, else ~/.cache/refseg/models)' },
  sam2: { type: 'string', valueName: 'preset|dir', description: 'SAM2 preset id, or a folder with its encoder and decoder .onnx (default: the default preset)' },
  'sam2-dtype': {
    type: 'string',
    valueName: 'variant',
    description: 'SAM2 weights variant in a folder holding several (a hub onnx/ folder): fp32, fp16, int8, uint8, quantized, q4, q4f16, bnb4 (default: the only one, else fp32; a preset names its own)',
  },
  dinov2: { type: 'string', valueName: 'preset|file', description: 'DINOv2 preset id, or its .onnx file (default: the default preset)' },
  backend: {
    type: 'string',
    valueName: 'node|web',
    default: 'node',
    description: 'ONNX runtime: node (onnxruntime-node) or web (onnxruntime-web WASM, where the native addon cannot be installed; same answers, slower: docs/on-device.md)',
  },
  provider: {
    type: 'string',
    valueName: 'cpu|cuda|webgpu',
    default: 'cpu',
    description: 'Execution provider; cuda (node backend) and webgpu (web backend) fall back to cpu when they cannot start',
  },
  threads: { type: 'string', valueName: 'n', default: '0', description: 'Threads per model session (0: one per core)' },
  'keep-no-mem-embed': {
    type: 'boolean',
    description: "Keep SAM2's no_mem_embed in the encoder (SAM2's own predictor); by default it is removed, as in the paper's pipeline",
  },
  'keep-mask-clip': {
    type: 'boolean',
    description: "Keep the Clip(-32, 32) samexporter's decoder puts on the mask logits; by default it is removed, as the paper's pipeline never clamps",
  },
  'decoder-per-prompt': {
    type: 'boolean',
    description: "Run samexporter's decoder as exported, its image-only work once per prompt; by default that work runs once per image (same outputs)",
  },
  'decoder-all-masks': {
    type: 'boolean',
    description: "Copy all three masks of every prompt out of samexporter's decoder and choose on the host; by default the graph keeps the best above the IoU threshold and hands out its signs and edge logits (same candidates)",
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

/** The SAM2 weights variant to load: `--sam2-dtype`, else the preset's; the two must agree. */
export function sam2VariantOf(flag: string | undefined, presetVariant: string | undefined, sam2: string | undefined): string | undefined {
  if (flag !== undefined && presetVariant !== undefined && flag !== presetVariant) {
    throw new UsageError(
      `--sam2-dtype ${flag} does not match the preset ${sam2 ?? '(default)'}, which is ${presetVariant}; ` +
        'choose the preset of that variant (refseg models list) or give the model folder with --sam2.',
    );
  }
  return flag ?? presetVariant;
}

const PROVIDERS_OF: Record<Runtime, readonly Provider[]> = { node: ['cpu', 'cuda'], web: ['cpu', 'webgpu'] };

/** `--backend` and `--provider`, checked together (each runtime has its own GPU provider). */
export function runtimeOf(values: { backend?: string; provider?: string }): { backend: Runtime; provider: Provider } {
  const backend = values.backend ?? 'node';
  if (backend !== 'node' && backend !== 'web') throw new UsageError(`--backend must be node or web, not "${backend}".`);
  const provider = values.provider ?? 'cpu';
  const allowed = PROVIDERS_OF[backend];
  if (!allowed.includes(provider as Provider)) throw new UsageError(`--provider must be ${allowed.join(' or ')} with --backend ${backend}, not "${provider}".`);
  return { backend, provider: provider as Provider };
}

export async function openPipelineFrom(values: ModelValues, opts: OpenFromOptions): Promise<GpuPipeline> {
  const { backend, provider } = runtimeOf(values);
  const threads = intOption(values.threads, '--threads', 0)!;
  const { requireModels } = await import('../../local/model-paths.ts');
  const { openPipeline } = opts.thread ? { openPipeline: (await import('../../http/pipeline-thread.ts')).openPipelineThread } : await import('../../pipeline/index.ts');
  const location = await requireModels({ dir: values.models, sam2: values.sam2, dinov2: values.dinov2 }, opts.env);
  const sam2Variant = sam2VariantOf(values['sam2-dtype'], location.sam2Variant, values.sam2);
  return openPipeline({
    sam2Dir: location.sam2Dir,
    ...(sam2Variant === undefined ? {} : { sam2Variant }),
    dinoPath: location.dinoPath,
    backend,
    provider,
    threads: { intraOp: threads },
    removeNoMemEmbed: values['keep-no-mem-embed'] !== true,
    removeMaskClip: values['keep-mask-clip'] !== true,
    decoderImageOnce: values['decoder-per-prompt'] !== true,
    decoderBestMask: values['decoder-all-masks'] !== true,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.maxQueue === undefined ? {} : { maxQueue: opts.maxQueue }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
}
