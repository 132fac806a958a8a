// Candidate sets by content: the image's SHA-256, the model and pipeline that made them and the
// EXIF mode (it changes the pixel grid), within the scope of who may reuse them (one tenant, or
// the tenants of one organisation: cache-scope.ts). Stored in the blob cache in the binary wire format. A
// set read back is checked against its key, so a damaged or misfiled entry is a miss, never a
// wrong answer. Concurrent misses of one key in this isolate share one gpu-node call.
import type { ExifMode, Orientation } from '../../shared/api/gpu-node.ts';
import type { FetchedCandidates } from '../../shared/api/gpu-node-client.ts';
import { orAfter } from '../../shared/deadline.ts';
import { UpstreamError } from '../../shared/errors.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { decodeCandidateSet, encodeCandidateSet } from '../../shared/wire/index.ts';
import type { BlobCache } from '../storage/contract.ts';
import { keySegment } from '../storage/contract.ts';

export interface CandidateKey {
  /** cacheScope(tenant): sets are never shared across scopes, nor are in-flight fetches. */
  scope: string;
  imageSha256: string;
  modelId: string;
  pipelineId: string;
  exif: ExifMode;
}

export interface CachedCandidates {
  set: CandidateSet;
  orientation: Orientation;
  hit: boolean;
}

export interface CandidateCache {
  get(key: CandidateKey): Promise<CandidateSet | null>;
  /** The cached set, or `fetch()`'s (then stored). */
  getOrFetch(key: CandidateKey, fetch: () => Promise<FetchedCandidates>): Promise<CachedCandidates>;
}

export function candidateKey(key: CandidateKey): string {
  return `cs/${keySegment(key.scope)}/${keySegment(key.modelId)}/${keySegment(key.pipelineId)}/${key.exif}/${key.imageSha256}`;
}

/** The gpu-node applies EXIF orientation exactly when asked to (shared/api/gpu-node.ts). */
export const orientationOf = (exif: ExifMode): Orientation => (exif === 'apply' ? 'applied' : 'ignored');

export interface CandidateCacheOptions {
  blobs: BlobCache;
  ttlSeconds: number;
  /** Longest wait for a concurrent request's fetch of the same set before fetching anew. */
  waitMs: number;
  /** Counts hits and misses. */
  onLookup?: (result: 'hit' | 'miss') => void;
}

export function createCandidateCache(options: CandidateCacheOptions): CandidateCache {
  const inFlight = new Map<string, Promise<CachedCandidates>>();

  async function get(key: CandidateKey): Promise<CandidateSet | null> {
    const bytes = await options.blobs.get(candidateKey(key));
    if (bytes === null) return null;
    try {
      const set = decodeCandidateSet(bytes);
      return set.imageSha256 === key.imageSha256 && set.modelId === key.modelId && set.pipelineId === key.pipelineId ? set : null;
    } catch {
      return null;
    }
  }

  async function lookup(key: CandidateKey, fetch: () => Promise<FetchedCandidates>): Promise<CachedCandidates> {
    const cached = await get(key);
    options.onLookup?.(cached ? 'hit' : 'miss');
    if (cached) return { set: cached, orientation: orientationOf(key.exif), hit: true };
    const fetched = await fetch();
    const { set } = fetched;
    if (set.imageSha256 !== key.imageSha256 || set.modelId !== key.modelId) {
      throw new UpstreamError(`The gpu-node returned candidates of image ${set.imageSha256} (model "${set.modelId}") for image ${key.imageSha256} (model "${key.modelId}").`);
    }
    // Filed under the pipeline the set says made it: a node reconfigured since its last health
    // check must not fill the old key with other candidates.
    const actual: CandidateKey = { ...key, pipelineId: set.pipelineId };
    await options.blobs.put(candidateKey(actual), encodeCandidateSet(fetched.set), { ttlSeconds: options.ttlSeconds });
    return { ...fetched, hit: false };
  }

  return {
    get,
    getOrFetch(key, fetch) {
      const k = candidateKey(key);
      const pending = inFlight.get(k);
      // Another request's fetch is waited for only as long as a fetch of our own may take.
      if (pending) return orAfter(pending, options.waitMs, () => lookup(key, fetch));
      const own = lookup(key, fetch).finally(() => inFlight.delete(k));
      inFlight.set(k, own);
      return own;
    },
  };
}
