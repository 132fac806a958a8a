// POST /v1/images: send an image once, get its imageId, and have its candidate set computed and
// cached, so later segment requests (any bank) need neither the upload nor a gpu-node.
import { z } from 'zod';
import { IMAGE_PART } from '../../shared/api/gpu-node.ts';
import { BadRequestError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { UploadQuerySchema, ImageResponseSchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import { filePart, formData, isRawImageType, RAW_IMAGE_TYPES, rawImage } from '../images/input.ts';
import type { ImageInput } from '../images/input.ts';
import { tenantOf } from '../middleware/auth.ts';
import { candidatesFor } from '../segment/candidates-for.ts';
import type { Router } from './router.ts';
import { mediaType, query } from './validate.ts';

export function imageRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/images',
      operationId: 'uploadImage',
      summary: 'Upload an image once; get its imageId and warm the candidate cache.',
      tag: 'Segment',
      access: 'tenant',
      query: UploadQuerySchema,
      body: {
        description: 'The image as the raw body (any image/* or application/octet-stream type; the bytes decide), or as the multipart part `image`.',
        content: {
          'image/*': { schema: z.file() },
          'multipart/form-data': { schema: z.object({ [IMAGE_PART]: z.file() }) },
        },
      },
      responses: { 201: { description: 'Stored; its candidates are cached.', schema: ImageResponseSchema } },
      problems: [413, 415, 422, 502, 503],
    },
    async (c) => {
      const tenant = tenantOf(c);
      const { exif, preset } = query(c, UploadQuerySchema);
      const image = await uploadedImage(c.req.raw, mediaType(c), s.config.maxPixels);
      const cached = await candidatesFor(s, { tenant, image, imageId: image.sha256, preset, exif, requestId: c.get('requestId') });
      // Stored only once its candidates exist: a failed upload leaves nothing behind.
      await s.images.put(tenant, image.sha256, image.bytes);
      return c.json(
        {
          imageId: image.sha256,
          width: cached.set.width,
          height: cached.set.height,
          orientation: cached.orientation,
          modelId: cached.set.modelId,
          pipelineId: cached.set.pipelineId,
          candidates: cached.set.candidates.length,
          cache: cached.hit ? ('hit' as const) : ('miss' as const),
          expiresInSeconds: s.config.imageTtlSeconds,
        },
        201,
      );
    },
  );
}

async function uploadedImage(request: Request, type: string | null, maxPixels: number): Promise<ImageInput> {
  if (type === 'multipart/form-data') {
    const image = await filePart(await formData(request), IMAGE_PART, maxPixels);
    if (!image) throw new BadRequestError(`The form has no "${IMAGE_PART}" part.`, { field: IMAGE_PART });
    return image;
  }
  if (isRawImageType(type)) return rawImage(request, maxPixels);
  throw new UnsupportedMediaTypeError(type, [...RAW_IMAGE_TYPES, 'multipart/form-data']);
}
