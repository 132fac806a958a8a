// References of a bank. Adding: every image and annotation is checked before any gpu-node work,
// the gpu-node turns each annotation into an instance vector, and the bank stores all of them
// or none (edge/banks).
import { z } from 'zod';
import { ANNOTATIONS_PART, IMAGE_PART } from '../../shared/api/gpu-node.ts';
import { checkRequestPolygons } from '../../shared/api/annotation-limits.ts';
import { BadRequestError, NotFoundError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { AddReferencesResponseSchema, AnnotationListSchema, BankParamsSchema, ExifQuerySchema, ReferenceListSchema, ReferenceParamsSchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import { filePartAt, formData } from '../images/input.ts';
import type { ImageInput } from '../images/input.ts';
import { tenantOf } from '../middleware/auth.ts';
import { annotationKind, parseAnnotations, toGpuAnnotation } from '../references/annotations.ts';
import { embedder } from '../references/embedder.ts';
import type { ImageDraft as Draft } from '../references/embedder.ts';
import { MAX_REFERENCE_IMAGES, TooManyImagesError } from '../references/limits.ts';
import type { Router } from './router.ts';
import { mediaType, params, parseJson, query } from './validate.ts';

const ReferenceFormSchema = z
  .object({
    [IMAGE_PART]: z.file().describe('A reference image (JPEG, PNG, WebP, GIF or TIFF). Repeat the part for several images.'),
    [ANNOTATIONS_PART]: AnnotationListSchema.describe('JSON array of the instances on the image of the same position. Repeat once per image.'),
  })
  .describe('Reference images and their annotations, paired in order.');

export function referenceRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/banks/:bankId/references',
      operationId: 'addReferences',
      summary: 'Add references: images with annotated instances (mask as RLE, polygons, or a box; optionally negative).',
      description:
        'Masks, polygons and boxes refer to the image as displayed (EXIF orientation applied) unless `exif=ignore`. ' +
        'All references of the request are stored, or none. The response carries quality feedback for each new reference.',
      tag: 'References',
      access: 'tenant',
      params: BankParamsSchema,
      query: ExifQuerySchema,
      body: { content: { 'multipart/form-data': { schema: ReferenceFormSchema, partTypes: { [ANNOTATIONS_PART]: 'application/json' } } } },
      responses: { 201: { description: 'The updated bank and the new references.', schema: AddReferencesResponseSchema } },
      problems: [404, 413, 415, 422, 502, 503],
    },
    async (c) => {
      const tenant = tenantOf(c);
      const { bankId } = params(c, BankParamsSchema);
      const { exif } = query(c, ExifQuerySchema);
      const type = mediaType(c);
      if (type !== 'multipart/form-data') throw new UnsupportedMediaTypeError(type, ['multipart/form-data']);
      const { images, drafts } = await readUpload(await formData(c.req.raw), s.config.maxPixels);

      const banks = await s.banks();
      const bank = await banks.getBank(tenant, bankId);
      const classes = new Set(bank.classes.map((k) => k.name));
      for (const d of drafts) {
        if (!classes.has(d.className)) throw new NotFoundError('class', d.className, { field: d.field, extra: { bankId } });
      }
      const embed = embedder(s, images, exif, bank.modelId, { requestId: c.get('requestId'), tenant, signal: c.req.raw.signal });
      const result = await banks.addReferences(tenant, bankId, drafts, embed);
      return c.json(result, 201);
    },
  );

  router.add(
    {
      method: 'get',
      path: '/v1/banks/:bankId/references',
      operationId: 'listReferences',
      summary: 'List a bank\'s references with their quality feedback.',
      tag: 'References',
      access: 'tenant',
      params: BankParamsSchema,
      responses: { 200: { description: 'In insertion order.', schema: ReferenceListSchema } },
      problems: [404, 503],
    },
    async (c) => c.json({ references: await (await s.banks()).listReferences(tenantOf(c), params(c, BankParamsSchema).bankId) }),
  );

  router.add(
    {
      method: 'delete',
      path: '/v1/banks/:bankId/references/:referenceId',
      operationId: 'deleteReference',
      summary: 'Remove a reference (its class prototype is recomputed).',
      tag: 'References',
      access: 'tenant',
      params: ReferenceParamsSchema,
      responses: { 204: { description: 'Removed.' } },
      problems: [404, 503],
    },
    async (c) => {
      const { bankId, referenceId } = params(c, ReferenceParamsSchema);
      await (await s.banks()).deleteReference(tenantOf(c), bankId, referenceId);
      return c.body(null, 204);
    },
  );
}

/** Images and annotation parts, paired by position, all checked. */
async function readUpload(form: FormData, maxPixels: number): Promise<{ images: ImageInput[]; drafts: (Draft & { field: string })[] }> {
  const imageParts = form.getAll(IMAGE_PART);
  const annotationParts = form.getAll(ANNOTATIONS_PART);
  if (imageParts.length === 0 || imageParts.length !== annotationParts.length) {
    throw new BadRequestError(
      `Send one "${ANNOTATIONS_PART}" part (a JSON array) per "${IMAGE_PART}" part; got ${imageParts.length} image and ${annotationParts.length} annotations parts.`,
      { field: imageParts.length === 0 ? IMAGE_PART : ANNOTATIONS_PART },
    );
  }
  if (imageParts.length > MAX_REFERENCE_IMAGES) throw new TooManyImagesError(imageParts.length, IMAGE_PART);
  const many = imageParts.length > 1;
  const images: ImageInput[] = [];
  const drafts: (Draft & { field: string })[] = [];
  for (let i = 0; i < imageParts.length; i++) {
    const at = (part: string) => (many ? `${part}[${i}]` : part);
    images.push(await filePartAt(imageParts[i], at(IMAGE_PART), maxPixels));
    const text = annotationParts[i];
    if (typeof text !== 'string') throw new BadRequestError(`"${at(ANNOTATIONS_PART)}" must be a text part holding JSON.`, { field: at(ANNOTATIONS_PART) });
    const annotations = parseAnnotations(parseJson(text, at(ANNOTATIONS_PART)), at(ANNOTATIONS_PART));
    annotations.forEach((a, j) =>
      drafts.push({
        className: a.className,
        negative: a.negative ?? false,
        source: { annotation: annotationKind(a), imageSha256: images[i].sha256 },
        image: i,
        gpu: toGpuAnnotation(a),
        field: `${at(ANNOTATIONS_PART)}[${j}].className`,
      }),
    );
  }
  checkRequestPolygons(
    drafts.map((d) => d.gpu),
    (i) => drafts[i].field.replace(/\.className$/, ''),
  );
  return { images, drafts };
}
