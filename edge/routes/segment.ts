// POST /v1/banks/:bankId/segment: the image's candidate set (cache, else a gpu-node), matched
// against the bank here at the edge: labels, negative damping, class-aware NMS, soft merge, top-K.
import { z } from 'zod';
import { IMAGE_PART } from '../../shared/api/gpu-node.ts';
import { matchBank } from '../../shared/bank/match-bank.ts';
import { BadRequestError, NotFoundError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { SegmentOptionsSchema } from '../../shared/schemas.ts';
import { BankParamsSchema, ImageIdSchema, SegmentJsonBodySchema, SegmentQuerySchema, SegmentResponseSchema } from '../api/schemas.ts';
import type { MatchingBank } from '../banks/index.ts';
import type { EdgeServices } from '../context.ts';
import { filePart, formData, isRawImageType, RAW_IMAGE_TYPES, rawImage } from '../images/input.ts';
import type { ImageInput } from '../images/input.ts';
import { tenantOf } from '../middleware/auth.ts';
import type { CachedCandidates } from '../segment/candidate-cache.ts';
import { candidatesFor } from '../segment/candidates-for.ts';
import { checkSegmentOptions, resolveSegmentOptions } from '../segment/options.ts';
import type { CheckedSegmentOptions } from '../segment/options.ts';
import { renderDetections, renderSemantic } from '../segment/render.ts';
import type { Router } from './router.ts';
import { check, mediaType, params, parseJson, query } from './validate.ts';

const OPTIONS_PART = 'options';
const IMAGE_ID_PART = 'imageId';

const SegmentFormSchema = z
  .object({
    [IMAGE_PART]: z.file().optional().describe('The image (or send imageId).'),
    [IMAGE_ID_PART]: ImageIdSchema.optional().describe('Id of an image sent before to POST /v1/images.'),
    [OPTIONS_PART]: SegmentOptionsSchema.optional(),
  })
  .describe('An image (or imageId) and the options as JSON.');

interface SegmentInput {
  image: ImageInput | null;
  imageId: string;
  options: CheckedSegmentOptions;
}

export function segmentRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/banks/:bankId/segment',
      operationId: 'segment',
      summary: 'Find every instance of the bank\'s classes in an image.',
      description:
        'Send the image as multipart (`image` + optional `options` JSON), as the raw body (options as the `options` query parameter), ' +
        'or name an image sent before with `imageId` (JSON body or form part). The edge hashes the image, reuses its cached candidate set ' +
        'when it has one (no gpu-node work: `cache: "hit"`), and matches it against the bank.',
      tag: 'Segment',
      access: 'tenant',
      params: BankParamsSchema,
      query: SegmentQuerySchema,
      body: {
        content: {
          'multipart/form-data': { schema: SegmentFormSchema, partTypes: { [OPTIONS_PART]: 'application/json' } },
          'application/json': { schema: SegmentJsonBodySchema },
          'image/*': { schema: z.file() },
        },
      },
      responses: { 200: { description: 'Detections, best first.', schema: SegmentResponseSchema } },
      problems: [404, 413, 415, 422, 502, 503],
    },
    async (c) => {
      const tenant = tenantOf(c);
      const { bankId } = params(c, BankParamsSchema);
      const q = query(c, SegmentQuerySchema);
      const input = await segmentInput(c.req.raw, mediaType(c), q.options, s.config.maxPixels);

      const bank = await (await s.banks()).matchingBank(tenant, bankId);
      // Unknown classes in the options fail before any gpu-node work.
      resolveSegmentOptions(bank, input.options);
      if (input.image === null && !(await s.images.has(tenant, input.imageId))) throw new NotFoundError('image', input.imageId, { field: IMAGE_ID_PART });

      const cached = await candidatesFor(s, {
        tenant,
        image: input.image,
        imageId: input.imageId,
        modelId: bank.modelId,
        preset: input.options.preset,
        exif: q.exif,
        requestId: c.get('requestId'),
      });
      return c.json(await matchedResponse(s, cached, bank, input.options));
    },
  );
}

/** A candidate set matched against a bank, as both segment routes answer it. */
export async function matchedResponse(s: EdgeServices, cached: CachedCandidates, bank: MatchingBank, options: CheckedSegmentOptions): Promise<z.infer<typeof SegmentResponseSchema>> {
  const resolved = resolveSegmentOptions(bank, options);
  const { set } = cached;
  const detections = matchBank(set, bank, resolved.pipeline);
  s.metrics.inc('refseg_edge_segment_detections_total', {}, detections.length);
  const { maskFormat } = options;
  return {
    imageId: set.imageSha256,
    width: set.width,
    height: set.height,
    orientation: cached.orientation,
    bankId: bank.bankId,
    bankRevision: bank.revision,
    modelId: set.modelId,
    pipelineId: set.pipelineId,
    cache: cached.hit ? ('hit' as const) : ('miss' as const),
    classes: bank.classes,
    classesWithoutReferences: resolved.classesWithoutReferences,
    detections: await renderDetections(detections, bank.classes, maskFormat),
    ...(options.semantic ? { semantic: await renderSemantic(detections, bank.classes, maskFormat) } : {}),
  };
}

async function segmentInput(request: Request, type: string | null, queryOptions: string | undefined, maxPixels: number): Promise<SegmentInput> {
  if (type === 'application/json') {
    if (queryOptions !== undefined) throw new BadRequestError('With a JSON body, put the options in its `options` member.', { field: 'query.options' });
    const raw = parseJson(await request.text(), 'body');
    const body = check(SegmentJsonBodySchema, raw);
    return { image: null, imageId: body.imageId, options: checkSegmentOptions((raw as { options?: unknown }).options ?? {}, 'options') };
  }
  if (type === 'multipart/form-data') {
    if (queryOptions !== undefined) throw new BadRequestError(`With a form, send the options as its "${OPTIONS_PART}" part.`, { field: 'query.options' });
    const form = await formData(request);
    const image = await filePart(form, IMAGE_PART, maxPixels);
    const imageId = form.get(IMAGE_ID_PART);
    if ((image === null) === (imageId === null)) throw new BadRequestError(`Send exactly one of the parts "${IMAGE_PART}" and "${IMAGE_ID_PART}".`, { field: IMAGE_PART });
    const optionsText = form.get(OPTIONS_PART);
    if (optionsText !== null && typeof optionsText !== 'string') throw new BadRequestError(`"${OPTIONS_PART}" must be a text part holding JSON.`, { field: OPTIONS_PART });
    const options = checkSegmentOptions(optionsText === null ? {} : parseJson(optionsText, OPTIONS_PART), OPTIONS_PART);
    if (image) return { image, imageId: image.sha256, options };
    return { image: null, imageId: check(ImageIdSchema, imageId, IMAGE_ID_PART), options };
  }
  if (isRawImageType(type)) {
    const options = checkSegmentOptions(queryOptions === undefined ? {} : parseJson(queryOptions, 'query.options'), 'options');
    const image = await rawImage(request, maxPixels);
    return { image, imageId: image.sha256, options };
  }
  throw new UnsupportedMediaTypeError(type, [...RAW_IMAGE_TYPES, 'multipart/form-data', 'application/json']);
}
