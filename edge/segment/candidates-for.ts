// The candidate set of an image for one model and preset: from the cache, else from a gpu-node
// (which is then cached). The image bytes are needed only on a miss.
import type { ExifMode } from '../../shared/api/gpu-node.ts';
import { fetchCandidates } from '../../shared/api/gpu-node-client.ts';
import { NotFoundError, UnprocessableError } from '../../shared/errors.ts';
import { sniffImage } from '../../shared/images/index.ts';
import type { ProposalPreset } from '../../shared/schemas.ts';
import type { EdgeServices } from '../context.ts';
import type { ImageInput } from '../images/input.ts';
import { cacheScope } from './cache-scope.ts';
import type { CachedCandidates } from './candidate-cache.ts';

export interface CandidatesRequest {
  /**
   * Whose request it is: the cache scope (a tenant never sees, not even by timing, candidates
   * cached for another scope) and the gpu pool's fair share.
   */
  tenant: string;
  /** The image itself, or (null) one sent before to POST /v1/images under `imageId`. */
  image: ImageInput | null;
  imageId: string;
  /** Undefined: the model of any gpu-node. */
  modelId?: string;
  preset: ProposalPreset;
  exif: ExifMode;
  requestId: string;
}

export async function candidatesFor(s: EdgeServices, req: CandidatesRequest): Promise<CachedCandidates> {
  const info = await s.model(req.modelId);
  const pipelineId = info.presets.includes(req.preset) ? info.pipelineIds[req.preset] : undefined;
  if (pipelineId === undefined) {
    throw new UnprocessableError(`The gpu-nodes of model "${info.modelId}" do not offer the preset "${req.preset}" (they offer: ${info.presets.join(', ')}).`, {
      field: 'options.preset',
    });
  }
  const key = { scope: cacheScope(req.tenant, s.config.cacheOrganisations), imageSha256: req.imageId, modelId: info.modelId, pipelineId, exif: req.exif };
  return s.candidates.getOrFetch(key, async () => {
    const bytes = req.image?.bytes ?? (await s.images.bytes(req.imageId));
    if (bytes === null) throw new NotFoundError('image', req.imageId, { field: 'imageId' });
    const imageType = req.image?.header.type ?? sniffImage(bytes).type;
    return fetchCandidates(s.gpu, { secret: s.config.gpu.secret, requestId: req.requestId, ...(req.tenant === undefined ? {} : { tenant: req.tenant }) }, { image: bytes, imageType, preset: req.preset, exif: req.exif, modelId: info.modelId });
  });
}
