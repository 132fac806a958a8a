// A stand-in GpuPipeline for HTTP tests: no models, canned but input-dependent answers (the
// candidate set carries the SHA-256 of the bytes it got), optional gate to hold requests open,
// and stage reports so the metrics have something to count.
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import { matchCandidates } from '../../shared/matching/index.ts';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import type { Models, ModelsInfo } from '../models/index.ts';
import type { GpuPipeline, ProposalRequest, RequestOptions } from '../pipeline/index.ts';
import { pipelineIdOf, resolveProposalConfig } from '../pipeline/index.ts';
import { checkPromptInside } from '../../shared/mask-prompt.ts';

export const FAKE_DIM = 4;
export const FAKE_SIZE = { width: 8, height: 6 };

export interface FakePipeline extends GpuPipeline {
  calls: string[];
  /** While set, pipeline calls wait for it. */
  gate?: Promise<void>;
  /** Thrown by the next pipeline call. */
  failWith?: unknown;
}

const info = {
  sam2: { layout: 'samexporter', variant: 'fp16', noMemEmbed: 'removed', maskClip: 'removed' },
  dino: { dim: FAKE_DIM, registers: 0 },
  provider: 'cpu',
  workers: 1,
  standin: false,
} as unknown as ModelsInfo;

function square(x0: number, y0: number, side: number): Uint8Array {
  const m = new Uint8Array(FAKE_SIZE.width * FAKE_SIZE.height);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m[y * FAKE_SIZE.width + x] = 1;
  return m;
}

/** Two candidates: one pointing along axis 0 (a 2×2 square), one along axis 1 (a 3×3 square). */
export async function fakeCandidateSet(bytes: Uint8Array, pipelineId: string): Promise<CandidateSet> {
  const { width, height } = FAKE_SIZE;
  return {
    imageSha256: await sha256Hex(bytes),
    width,
    height,
    modelId: 'fake-model',
    pipelineId,
    dim: FAKE_DIM,
    candidates: [
      { iou: Math.fround(0.9), box256: [10, 10, 60, 60], embedding: Float32Array.of(1, 0, 0, 0), mask: encodeMask(square(1, 1, 2), height, width) },
      { iou: Math.fround(0.8), box256: [100, 100, 200, 200], embedding: Float32Array.of(0, 1, 0, 0), mask: encodeMask(square(4, 2, 3), height, width) },
    ],
  };
}

export function fakePipeline(): FakePipeline {
  const node = { noMemEmbed: 'removed' as const, maskClip: 'removed' as const };
  const pipeline: FakePipeline = {
    calls: [],
    models: { info, load: () => ({ busy: pipeline.calls.length % 2, queued: 0 }), close: async () => {} } as unknown as Models,
    modelId: 'fake-model',
    info,
    pipelineId: (p) => pipelineIdOf(resolveProposalConfig(p), node),
    async candidates(bytes, request: ProposalRequest = {}) {
      await enter('candidates', request);
      const set = await fakeCandidateSet(bytes, pipeline.pipelineId(request.proposals));
      return { set, orientation: request.exif === 'ignore' ? 'ignored' : 'applied' };
    },
    async referenceVectors(_bytes, annotations: readonly GpuReferenceAnnotation[], request: RequestOptions = {}) {
      await enter('referenceVectors', request);
      return {
        ...FAKE_SIZE,
        orientation: 'applied',
        references: annotations.map((a, i) => ({
          class: a.class,
          vector: Float32Array.of(i, 1, 2, 3),
          mask: encodeMask(square(0, 0, 2), FAKE_SIZE.height, FAKE_SIZE.width),
          maskSource: a.box ? 'sam2-box' : 'given',
          ...(a.box ? { predictedIou: 0.5 } : {}),
        })),
      };
    },
    async previewMask(_bytes, prompt, request = {}) {
      await enter('previewMask', request);
      checkPromptInside(prompt, FAKE_SIZE.width, FAKE_SIZE.height, 'prompt');
      return { ...FAKE_SIZE, orientation: 'applied', rle: encodeMask(square(4, 2, 3), FAKE_SIZE.height, FAKE_SIZE.width), predictedIou: 0.75, bbox: [4, 2, 3, 3] };
    },
    async segment(bytes, prototypes, request = {}) {
      await enter('segment', request);
      const set = await fakeCandidateSet(bytes, pipeline.pipelineId(request.proposals));
      return { set, detections: matchCandidates(set, prototypes, request.options), orientation: 'applied' };
    },
    close: async () => {},
  };
  async function enter(name: string, request: RequestOptions): Promise<void> {
    pipeline.calls.push(name);
    request.observe?.('sam2-encoder', 120);
    request.observe?.('decode', 3);
    if (pipeline.gate) await pipeline.gate;
    if (pipeline.failWith !== undefined) {
      const err = pipeline.failWith;
      pipeline.failWith = undefined;
      throw err;
    }
  }
  return pipeline;
}
