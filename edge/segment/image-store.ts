// Images sent to POST /v1/images, kept for a while so that segment requests can name them by
// imageId. The bytes are filed by content (one copy, whoever sent them); each tenant that sent
// an image gets a small marker, and only a tenant with a marker may use the imageId: knowing an
// image's hash must not let another tenant use it.
import type { BlobCache } from '../storage/contract.ts';

export interface ImageStore {
  put(tenant: string, imageId: string, bytes: Uint8Array): Promise<void>;
  /** Whether the tenant sent this image (and it has not expired). */
  has(tenant: string, imageId: string): Promise<boolean>;
  /** The image bytes; null once expired. Check `has` first. */
  bytes(imageId: string): Promise<Uint8Array | null>;
}

const MARKER = new Uint8Array([1]);

export function createImageStore(blobs: BlobCache, ttlSeconds: number): ImageStore {
  const imageKey = (imageId: string) => `img/${imageId}`;
  const markerKey = (tenant: string, imageId: string) => `imgref/${tenant}/${imageId}`;
  return {
    async put(tenant, imageId, bytes) {
      // Bytes first: a marker never points at an image that was not stored.
      await blobs.put(imageKey(imageId), bytes, { ttlSeconds });
      await blobs.put(markerKey(tenant, imageId), MARKER, { ttlSeconds });
    },
    has: async (tenant, imageId) => (await blobs.get(markerKey(tenant, imageId))) !== null,
    bytes: (imageId) => blobs.get(imageKey(imageId)),
  };
}
