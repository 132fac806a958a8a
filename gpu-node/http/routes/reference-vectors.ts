// POST /v1/reference-vectors: multipart image + `annotations` → one unnormalised instance vector
// per annotation (and the mask it was pooled under).
import type { Hono } from 'hono';
import { ANNOTATIONS_PART, GPU_NODE_PATHS, ImageQuerySchema, ReferenceAnnotationsSchema } from '../../../shared/api/gpu-node.ts';
import type { ReferenceVectorsResponse } from '../../../shared/api/gpu-node.ts';
import { checkRequestPolygons } from '../../../shared/api/annotation-limits.ts';
import { vectorToBase64 } from '../../../shared/bank/vectors.ts';
import type { NodeEnv } from '../env.ts';
import { jsonPart, query, readUpload } from '../request-body.ts';
import type { RouteDeps } from './deps.ts';

export function referenceVectorsRoute(app: Hono<NodeEnv>, deps: RouteDeps): void {
  app.post(GPU_NODE_PATHS.referenceVectors, async (c) => {
    const q = query(c, ImageQuerySchema);
    const pipeline = deps.state.require();
    const upload = await readUpload(c, { multipartOnly: true });
    const annotations = jsonPart(upload, ANNOTATIONS_PART, ReferenceAnnotationsSchema);
    checkRequestPolygons(annotations, (i) => `${ANNOTATIONS_PART}[${i}]`);
    const result = await pipeline.referenceVectors(upload.image, annotations, { exif: q.exif, ...deps.imageOptions });
    const body: ReferenceVectorsResponse = {
      modelId: pipeline.modelId,
      dim: pipeline.info.dino.dim,
      width: result.width,
      height: result.height,
      orientation: result.orientation,
      references: result.references.map((r) => ({
        class: r.class,
        vector: vectorToBase64(r.vector),
        mask: r.mask,
        maskSource: r.maskSource,
        ...(r.predictedIou === undefined ? {} : { predictedIou: r.predictedIou }),
      })),
    };
    return c.json(body);
  });
}
