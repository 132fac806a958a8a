// POST /v1/banks/:bankId/segment-candidates: a candidate set made elsewhere (on the user's device
// with onnxruntime-web, or a gpu-node the edge does not know), matched against the bank here with
// no gpu-node work. The image never reaches the edge.
//
// The set is hostile input like any other: the body limit bounds its bytes before they are read,
// the wire decoder checks every length before it reads or allocates, the image size is bounded
// like an upload's, and the set must come from the bank's model and from a pipeline the model's
// gpu-nodes run, so its embeddings and masks are comparable with the bank's references. It is
// cached in the sending tenant's own scope only (never an organisation's shared cache): a client
// can only ever answer its own later requests with a set it made.
import { z } from 'zod';
import { ConflictError, ModelMismatchError, PixelLimitError, UnprocessableError, UnsupportedMediaTypeError, WireFormatError } from '../../shared/errors.ts';
import { SegmentOptionsSchema } from '../../shared/schemas.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { CANDIDATE_SET_MEDIA_TYPE, decodeCandidateSet } from '../../shared/wire/index.ts';
import { BankParamsSchema, SegmentQuerySchema, SegmentResponseSchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import { tenantOf } from '../middleware/auth.ts';
import { orientationOf } from '../segment/candidate-cache.ts';
import { cacheScope } from '../segment/cache-scope.ts';
import { checkSegmentOptions } from '../segment/options.ts';
import type { Router } from './router.ts';
import { mediaType, params, parseJson, query } from './validate.ts';
import { matchedResponse } from './segment.ts';

/** Only the tenant's own scope: an uploaded set must never answer another tenant of its organisation. */
const OWN_SCOPE: ReadonlyMap<string, string> = new Map();

function decodeUploaded(bytes: Uint8Array): CandidateSet {
  try {
    return decodeCandidateSet(bytes);
  } catch (err) {
    // From a gpu-node a malformed set is an upstream fault (502); from a client it is bad input.
    if (err instanceof WireFormatError) throw new UnprocessableError(err.detail, { field: 'body' }, 'malformed-candidate-set', 'Malformed candidate set');
    throw err;
  }
}

export function segmentCandidatesRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/banks/:bankId/segment-candidates',
      operationId: 'segmentCandidates',
      summary: 'Match a candidate set made elsewhere (e.g. on the device) against the bank.',
      description:
        `Send the binary candidate set (\`${CANDIDATE_SET_MEDIA_TYPE}\`, shared/wire) made by refseg's pipeline on the same models, ` +
        'for example in the browser with onnxruntime-web (docs/on-device.md); options as the `options` query parameter. ' +
        "The set's modelId must be the bank's and its pipelineId one the model's gpu-nodes run (GET /v1/info); its image must be within the pixel limit. " +
        "No gpu-node work is done and the image is never sent. The set is cached in the tenant's own scope, keyed by its image hash, " +
        'so later segment requests of this tenant for the same image and exif mode reuse it (`cache: "hit"`); an already cached set of that key is used instead of the sent one.',
      tag: 'Segment',
      access: 'tenant',
      params: BankParamsSchema,
      query: SegmentQuerySchema,
      body: { content: { [CANDIDATE_SET_MEDIA_TYPE]: { schema: z.file().describe('Binary candidate set, format version 1 (shared/wire/candidate-set.ts).') } } },
      responses: { 200: { description: 'Detections, best first.', schema: SegmentResponseSchema } },
      problems: [404, 409, 413, 415, 422, 503],
    },
    async (c) => {
      const tenant = tenantOf(c);
      const { bankId } = params(c, BankParamsSchema);
      const q = query(c, SegmentQuerySchema);
      const type = mediaType(c);
      if (type !== CANDIDATE_SET_MEDIA_TYPE) throw new UnsupportedMediaTypeError(type, [CANDIDATE_SET_MEDIA_TYPE]);
      const rawOptions = q.options === undefined ? {} : parseJson(q.options, 'query.options');
      const options = checkSegmentOptions(rawOptions, 'options');

      const set = decodeUploaded(new Uint8Array(await c.req.arrayBuffer()));
      if (set.width * set.height > s.config.maxPixels) throw new PixelLimitError(set.width, set.height, s.config.maxPixels, { field: 'body' });

      const bank = await (await s.banks()).matchingBank(tenant, bankId);
      if (set.modelId !== bank.modelId) throw new ModelMismatchError(bank.modelId, set.modelId, { field: 'body.modelId' });
      if (bank.dim !== null && set.dim !== bank.dim) throw new UnprocessableError(`The set's embeddings have ${set.dim} values; the bank's have ${bank.dim}.`, { field: 'body.dim' });
      const info = await s.model(bank.modelId);
      const preset = Object.entries(info.pipelineIds).find(([, id]) => id === set.pipelineId)?.[0];
      if (preset === undefined) {
        throw new ConflictError(`Pipeline id "${set.pipelineId}" is not one the gpu-nodes of model "${bank.modelId}" run (${Object.values(info.pipelineIds).join(', ')}).`, { field: 'body.pipelineId' }, 'pipeline-mismatch', 'Pipeline mismatch');
      }
      const asked = (rawOptions as { preset?: unknown }).preset;
      if (asked !== undefined && asked !== preset) throw new UnprocessableError(`options.preset is "${String(asked)}" but the set was made with the "${preset}" preset.`, { field: 'options.preset' });

      const key = { scope: cacheScope(tenant, OWN_SCOPE), imageSha256: set.imageSha256, modelId: set.modelId, pipelineId: set.pipelineId, exif: q.exif };
      const cached = await s.candidates.getOrFetch(key, async () => ({ set, orientation: orientationOf(q.exif) }));
      return c.json(await matchedResponse(s, cached, bank, options));
    },
  );
}
