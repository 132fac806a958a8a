// POST /v1/mask-preview: multipart image + `prompt` (a box or points) → SAM2's best mask for it,
// so a person sees what a box or a few clicks make before accepting a reference.
import type { Hono } from 'hono';
import { GPU_NODE_PATHS, ImageQuerySchema, MaskPromptSchema, PROMPT_PART } from '../../../shared/api/gpu-node.ts';
import type { GpuMaskPreviewResponse } from '../../../shared/api/gpu-node.ts';
import type { NodeEnv } from '../env.ts';
import { jsonPart, query, readUpload } from '../request-body.ts';
import type { RouteDeps } from './deps.ts';

export function maskPreviewRoute(app: Hono<NodeEnv>, deps: RouteDeps): void {
  app.post(GPU_NODE_PATHS.maskPreview, async (c) => {
    const q = query(c, ImageQuerySchema);
    const pipeline = deps.state.require();
    const upload = await readUpload(c, { multipartOnly: true });
    const prompt = jsonPart(upload, PROMPT_PART, MaskPromptSchema);
    const result = await pipeline.previewMask(upload.image, prompt, { exif: q.exif, ...deps.imageOptions });
    const body: GpuMaskPreviewResponse = {
      modelId: pipeline.modelId,
      width: result.width,
      height: result.height,
      orientation: result.orientation,
      mask: result.rle,
      score: result.predictedIou,
      bbox: result.bbox,
    };
    return c.json(body);
  });
}
