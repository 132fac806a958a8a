// Public entry of the gpu-node pipeline: models plus everything the node computes from images.
//
//   const node = await openPipeline({ sam2Dir, dinoPath });
//   const { set } = await node.candidates(jpegBytes, { preset: 'official' });
//   const { references } = await node.referenceVectors(refBytes, [{ class: 'cup', box: [x, y, w, h] }]);
//   const { detections } = await node.segment(jpegBytes, prototypes);
//   await node.close();
import type { GpuReferenceAnnotation, MaskPrompt, Orientation } from '../../shared/api/gpu-node.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import { createClassMatcher, resolvePipelineOptions } from '../../shared/matching/index.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import { ProposalPresetSchema } from '../../shared/schemas.ts';
import type { ProposalPreset } from '../../shared/schemas.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { openModels } from '../models/index.ts';
import type { Models, ModelsInfo, OpenModelsOptions } from '../models/index.ts';
import { extractSet, proposalInput } from './candidates.ts';
import { modelIdOf } from './model-id.ts';
import { pipelineIdOf, resolveProposalConfig } from './presets.ts';
import type { ProposalConfig, ProposalConfigInput } from './presets.ts';
import { EncodedImages, encodeForPreview, previewMask } from './prompt-mask.ts';
import type { MaskPreview } from './prompt-mask.ts';
import { referenceVectors } from './references.ts';
import type { ReferenceVector } from './references.ts';
import { matchSet } from './segment.ts';
import type { Segmentation } from './segment.ts';
import type { StageObserver } from './stages.ts';
import { ImageScheduler } from './scheduler.ts';
import type { SchedulerOptions } from './scheduler.ts';
import { threadPlan } from './scheduler-threads.ts';
import { decodeTimed, encodePrepared, prepareTarget } from './target.ts';
import type { AnalysedTarget, ImageOptions } from './target.ts';

export { candidateSet, extractSet, proposalInput } from './candidates.ts';
export { EmptyBoxMaskError, EmptyPromptMaskError } from './errors.ts';
export { amgGrid, imageToInput, numpyLinspace, officialGrid, torchLinspaceF32 } from './grid.ts';
export { modelIdOf } from './model-id.ts';
export { AmgConfigSchema, DEVICE_PRESETS, OfficialConfigSchema, ProposalConfigSchema, pipelineIdOf, resolveProposalConfig } from './presets.ts';
export type { AmgConfig, NodeSettings, OfficialConfig, ProposalConfig, ProposalConfigInput } from './presets.ts';
export { EncodedImages, encodeForPreview, previewMask, promptMask } from './prompt-mask.ts';
export type { EncodedImage, MaskPreview, PromptedMask } from './prompt-mask.ts';
export { proposeMasks } from './proposals.ts';
export type { LowResProposals } from './proposals.ts';
export { referenceVectors } from './references.ts';
export type { ReferenceVector } from './references.ts';
export { matchSet, segmentTarget } from './segment.ts';
export { ImageScheduler, imagesInFlight, LANES, laneWidths } from './scheduler.ts';
export type { ImageSteps, Lane, LaneEvent, LaneLoad, SchedulerOptions } from './scheduler.ts';
export { defaultWorkers, intraOpThreads, PIPELINE_WORKERS, threadPlan } from './scheduler-threads.ts';
export type { ThreadPlan } from './scheduler-threads.ts';
export type { Segmentation } from './segment.ts';
export { MODEL_STAGES, timed } from './stages.ts';
export type { Stage, StageObserver } from './stages.ts';
export { analyseTarget, decodeTimed, encodePrepared, prepareTarget } from './target.ts';
export type { AnalysedTarget, ImageOptions, PreparedTarget } from './target.ts';

export const PROPOSAL_PRESETS: readonly ProposalPreset[] = ProposalPresetSchema.options;

/** Images whose SAM2 embeddings are kept for further preview clicks. */
const PREVIEW_IMAGES = 4;

export type { Orientation };

export interface RequestOptions extends ImageOptions {
  /** Stage timings of this request (in addition to the pipeline's own observer). */
  observe?: StageObserver;
}

export interface ProposalRequest extends RequestOptions {
  /** Preset name or full configuration; default `official`. */
  proposals?: ProposalPreset | ProposalConfigInput;
}

export interface PipelineOptions extends OpenModelsOptions {
  /** Largest image accepted, in pixels (default: the decoder's 40 MP). */
  maxPixels?: number;
  /** Called with the wall time of every stage of every request. */
  observe?: StageObserver;
  /** Called as a target image enters and leaves each scheduler lane (scheduler.ts). */
  onLane?: SchedulerOptions['onLane'];
}

export interface GpuPipeline {
  readonly models: Models;
  readonly modelId: string;
  readonly info: ModelsInfo;
  pipelineId(proposals?: ProposalPreset | ProposalConfigInput): string;
  candidates(bytes: Uint8Array, request?: ProposalRequest): Promise<{ set: CandidateSet; orientation: Orientation }>;
  referenceVectors(
    bytes: Uint8Array,
    annotations: readonly GpuReferenceAnnotation[],
    request?: RequestOptions,
  ): Promise<{ width: number; height: number; orientation: Orientation; references: ReferenceVector[] }>;
  /** SAM2's best mask for a box or point prompt (image pixels after orientation). */
  previewMask(bytes: Uint8Array, prompt: MaskPrompt, request?: RequestOptions): Promise<MaskPreview & { width: number; height: number; orientation: Orientation }>;
  /** `prototypes[c]` has D values; `options.classes` are indices into it. */
  segment(
    bytes: Uint8Array,
    prototypes: readonly ArrayLike<number>[],
    request?: ProposalRequest & { options?: PipelineOptionsInput },
  ): Promise<Segmentation & { orientation: Orientation }>;
  close(): Promise<void>;
}

/** Pipeline over already opened models (tests share one set of sessions this way). */
export async function pipelineOver(models: Models, options: Pick<PipelineOptions, 'maxPixels' | 'observe' | 'onLane'> = {}): Promise<GpuPipeline> {
  const modelId = await modelIdOf(models.info);
  const node = { noMemEmbed: models.info.sam2.noMemEmbed, maskClip: models.info.sam2.maskClip };
  const imageOptions = (r: RequestOptions): ImageOptions => ({ exif: r.exif, maxPixels: r.maxPixels ?? options.maxPixels });
  const observerOf = (r: RequestOptions): StageObserver | undefined => {
    const own = options.observe;
    const extra = r.observe;
    if (!own || !extra) return own ?? extra;
    return (stage, ms) => {
      own(stage, ms);
      extra(stage, ms);
    };
  };
  const idsOf = (config: ProposalConfig) => ({ modelId, pipelineId: pipelineIdOf(config, node) });
  // Each holds a decoder's worth of SAM2 embeddings (16 MB).
  const previewImages = new EncodedImages(PREVIEW_IMAGES);
  // Target images (candidates, segment) from concurrent calls overlap stage by stage.
  const scheduler = new ImageScheduler({ workers: models.info.workers, ...(options.onLane === undefined ? {} : { onLane: options.onLane }) });
  const scheduled = <R>(bytes: Uint8Array, request: ProposalRequest, finish: (target: AnalysedTarget, set: CandidateSet, observe?: StageObserver) => R | Promise<R>) => {
    const config = resolveProposalConfig(request.proposals);
    const observe = observerOf(request);
    return scheduler.run({
      prepare: () => prepareTarget(bytes, imageOptions(request), observe),
      encode: (prepared) => encodePrepared(models, prepared, observe),
      decode: async (target) => ({ target, input: await proposalInput(models.sam2, target, config, observe) }),
      finish: async ({ target, input }) => finish(target, await extractSet(input, target.imageSha256, idsOf(config), observe), observe),
    });
  };

  return {
    models,
    modelId,
    info: models.info,
    pipelineId: (proposals) => pipelineIdOf(resolveProposalConfig(proposals), node),
    candidates: (bytes, request = {}) => scheduled(bytes, request, (target, set) => ({ set, orientation: target.image.orientation })),
    async referenceVectors(bytes, annotations, request = {}) {
      const observe = observerOf(request);
      const image = await decodeTimed(bytes, imageOptions(request), observe);
      const references = await referenceVectors(models, image, annotations, observe);
      return { width: image.width, height: image.height, orientation: image.orientation, references };
    },
    async previewMask(bytes, prompt, request = {}) {
      const observe = observerOf(request);
      const options = imageOptions(request);
      const key = `${await sha256Hex(bytes)}:${options.exif ?? 'apply'}:${options.maxPixels ?? ''}`;
      const image = await previewImages.get(key, async () => encodeForPreview(models, await decodeTimed(bytes, options, observe), observe));
      const preview = await previewMask(models, image, prompt, observe);
      return { ...preview, width: image.width, height: image.height, orientation: image.orientation };
    },
    async segment(bytes, prototypes, request = {}) {
      // Wrong prototypes or options fail before any model work is spent.
      createClassMatcher(prototypes, models.info.dino.dim, resolvePipelineOptions(request.options).classes);
      return scheduled(bytes, request, async (target, set, observe) => ({
        ...(await matchSet(set, prototypes, request.options, observe)),
        orientation: target.image.orientation,
      }));
    },
    close: () => models.close(),
  };
}

export async function openPipeline(options: PipelineOptions): Promise<GpuPipeline> {
  const { maxPixels, observe, onLane, ...modelOptions } = options;
  // Unset intra-op threads of onnxruntime-node: the cores shared among the workers
  // (scheduler-threads.ts). The web runtime's WASM threads are one global setting, left as given.
  const workers = modelOptions.workers ?? 1;
  const intraOp = modelOptions.threads?.intraOp;
  const threads = (modelOptions.backend ?? 'node') === 'node' ? { ...modelOptions.threads, intraOp: threadPlan({ workers, ...(intraOp === undefined ? {} : { intraOp }) }).intraOp } : modelOptions.threads;
  const models = await openModels({ ...modelOptions, workers, ...(threads === undefined ? {} : { threads }) });
  try {
    return await pipelineOver(models, { maxPixels, observe, ...(onLane === undefined ? {} : { onLane }) });
  } catch (err) {
    await models.close();
    throw err;
  }
}
