// POST /v1/masks/preview: the mask SAM2 makes of a box or of clicks on an image, so a person sees
// it before keeping the instance as a reference. Nothing is stored. The prompt is checked (shape,
// number of points, inside the image's bounds) before any gpu-node work.
import { z } from 'zod';
import { IMAGE_PART, MaskPromptSchema, MAX_PROMPT_POINTS, PROMPT_PART } from '../../shared/api/gpu-node.ts';
import { fetchMaskPreview } from '../../shared/api/gpu-node-client.ts';
import { BadRequestError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { checkPromptInside } from '../../shared/mask-prompt.ts';
import { ExifQuerySchema, MaskPreviewResponseSchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import { filePart, formData } from '../images/input.ts';
import type { Router } from './router.ts';
import { check, mediaType, parseJson, query } from './validate.ts';

const PreviewFormSchema = z
  .object({
    [IMAGE_PART]: z.file().describe('The image (JPEG, PNG or WebP).'),
    [PROMPT_PART]: MaskPromptSchema.describe('JSON: `{"box":[x,y,w,h]}` or `{"points":[[x,y,1],[x,y,0],…]}` in pixels of the image as displayed.'),
  })
  .describe('An image and a prompt on it.');

export function maskRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/masks/preview',
      operationId: 'previewMask',
      summary: 'Preview the mask SAM2 makes of a box or of clicks (nothing is stored).',
      description:
        `The prompt is a box or 1 to ${MAX_PROMPT_POINTS} points (label 1 on the object, 0 off it; at least one positive), ` +
        'in pixels of the image as displayed (EXIF orientation applied) unless `exif=ignore`, and must lie inside the image. ' +
        'The answer is SAM2\'s best of its three masks by predicted IoU — for a box, exactly the mask a box reference of the same box stores.',
      tag: 'References',
      access: 'tenant',
      query: ExifQuerySchema,
      body: { content: { 'multipart/form-data': { schema: PreviewFormSchema, partTypes: { [PROMPT_PART]: 'application/json' } } } },
      responses: { 200: { description: 'The mask.', schema: MaskPreviewResponseSchema } },
      problems: [413, 415, 422, 502, 503],
    },
    async (c) => {
      const { exif } = query(c, ExifQuerySchema);
      const type = mediaType(c);
      if (type !== 'multipart/form-data') throw new UnsupportedMediaTypeError(type, ['multipart/form-data']);
      const form = await formData(c.req.raw);
      const prompts = form.getAll(PROMPT_PART);
      if (prompts.length !== 1 || typeof prompts[0] !== 'string') {
        throw new BadRequestError(`Send one text part "${PROMPT_PART}" holding JSON ({"box":[x,y,w,h]} or {"points":[[x,y,1],…]}).`, { field: PROMPT_PART });
      }
      const prompt = check(MaskPromptSchema, parseJson(prompts[0], PROMPT_PART), PROMPT_PART);
      const image = await filePart(form, IMAGE_PART, s.config.maxPixels);
      if (!image) throw new BadRequestError(`The multipart part "${IMAGE_PART}" is missing.`, { field: IMAGE_PART });
      // The header gives the stored grid, which an EXIF rotation may turn: until the gpu-node has
      // decoded it (and checks the exact oriented size), the prompt must fit it either way round.
      const { width, height } = image.header;
      checkPromptInside(prompt, width, height, PROMPT_PART, { turnable: exif === 'apply' });

      const ctx = { secret: s.config.gpu.secret, requestId: c.get('requestId') };
      const preview = await fetchMaskPreview(s.gpu, ctx, { image: image.bytes, imageType: image.header.type, prompt, exif });
      return c.json({
        mask: preview.mask,
        score: preview.score,
        bbox: preview.bbox,
        orientation: preview.orientation === 'applied' ? ('exif-applied' as const) : ('exif-ignored' as const),
      });
    },
  );
}
