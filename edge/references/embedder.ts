// Reference images → instance vectors through the gpu-nodes: one reference-vectors call per
// image, a few at a time (edge/gpu/bounded.ts), each under the tenant's fair share of the pool;
// results come back in draft order.
import type { ExifMode, GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { fetchReferenceVectors } from '../../shared/api/gpu-node-client.ts';
import { base64DecodedLength, base64ToBytes, readFloat32LE } from '../../shared/encoding/index.ts';
import { UpstreamError } from '../../shared/errors.ts';
import type { EmbeddedReference, Embedder, ReferenceDraft } from '../banks/index.ts';
import type { EdgeServices } from '../context.ts';
import { CALLS_PER_REQUEST, mapBounded } from '../gpu/bounded.ts';
import type { ImageInput } from '../images/input.ts';

export interface ImageDraft extends ReferenceDraft {
  image: number;
  gpu: GpuReferenceAnnotation;
}

export interface EmbedCaller {
  requestId: string;
  tenant: string;
  /** The client's request: aborted when it goes away. */
  signal?: AbortSignal;
}

export function embedder(s: EdgeServices, images: readonly ImageInput[], exif: ExifMode, modelId: string, caller: EmbedCaller): Embedder<ImageDraft> {
  return async (drafts) => {
    const responses = await mapBounded(images, CALLS_PER_REQUEST, caller.signal, (image, i, signal) =>
      fetchReferenceVectors(
        s.gpu,
        { secret: s.config.gpu.secret, requestId: caller.requestId, tenant: caller.tenant, signal },
        {
          image: image.bytes,
          imageType: image.header.type,
          annotations: drafts.filter((d) => d.image === i).map((d) => d.gpu),
          exif,
          modelId,
        },
      ),
    );
    responses.forEach((r, i) => {
      const asked = drafts.filter((d) => d.image === i).length;
      if (r.references.length !== asked) throw new UpstreamError(`The gpu-node returned ${r.references.length} reference vectors for ${asked} annotations.`);
    });
    const next = images.map(() => 0);
    const references: EmbeddedReference[] = drafts.map((d) => {
      const response = responses[d.image];
      const r = response.references[next[d.image]++];
      return { vector: vectorOf(r.vector, response.dim), mask: r.mask };
    });
    const ids = new Set(responses.map((r) => r.modelId));
    return { modelId: ids.size === 1 ? responses[0].modelId : [...ids].join(' + '), references };
  };
}

function vectorOf(base64: string, dim: number): Float32Array {
  if (base64DecodedLength(base64) !== dim * 4) throw new UpstreamError(`The gpu-node sent a reference vector that is not ${dim} float32 values.`);
  return readFloat32LE(base64ToBytes(base64), 0, dim);
}
