// POST /v1/segment: multipart image + `request` ({ classes, prototypes, preset, options }) →
// detections, through the same shared matching the edge runs on candidate sets.
import type { Hono } from 'hono';
import { GPU_NODE_PATHS, GpuSegmentRequestSchema, ImageQuerySchema, REQUEST_PART } from '../../../shared/api/gpu-node.ts';
import type { GpuSegmentResponse } from '../../../shared/api/gpu-node.ts';
import { base64ToBytes, readFloat32LE } from '../../../shared/encoding/index.ts';
import { ShapeMismatchError } from '../../../shared/matching/index.ts';
import type { NodeEnv } from '../env.ts';
import { jsonPart, query, readUpload } from '../request-body.ts';
import type { RouteDeps } from './deps.ts';

/** C rows of D float32 values from base64; the size must be exactly C·D·4 bytes. */
export function decodePrototypes(base64: string, classes: number, dim: number): Float32Array[] {
  const bytes = base64ToBytes(base64);
  if (bytes.length !== classes * dim * 4) {
    throw new ShapeMismatchError(
      `prototypes hold ${bytes.length} bytes; ${classes} classes × ${dim} dimensions × 4 bytes = ${classes * dim * 4} (this node's models have D = ${dim})`,
      { field: `${REQUEST_PART}.prototypes` },
    );
  }
  const values = readFloat32LE(bytes, 0, classes * dim);
  return Array.from({ length: classes }, (_, c) => values.subarray(c * dim, (c + 1) * dim));
}

export function segmentRoute(app: Hono<NodeEnv>, deps: RouteDeps): void {
  app.post(GPU_NODE_PATHS.segment, async (c) => {
    const q = query(c, ImageQuerySchema);
    const pipeline = deps.state.require();
    const upload = await readUpload(c, { multipartOnly: true });
    const request = jsonPart(upload, REQUEST_PART, GpuSegmentRequestSchema);
    const prototypes = decodePrototypes(request.prototypes, request.classes.length, pipeline.info.dino.dim);
    const result = await pipeline.segment(upload.image, prototypes, {
      proposals: request.preset,
      exif: q.exif,
      ...(request.options === undefined ? {} : { options: request.options }),
      ...deps.imageOptions,
    });
    const body: GpuSegmentResponse = {
      modelId: result.set.modelId,
      pipelineId: result.set.pipelineId,
      imageSha256: result.set.imageSha256,
      width: result.set.width,
      height: result.set.height,
      orientation: result.orientation,
      classes: request.classes,
      detections: result.detections.map((d) => ({ ...d, class: request.classes[d.label] })),
    };
    return c.json(body);
  });
}
