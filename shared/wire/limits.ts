// Bounds on candidate sets, shared by the binary decoder and the JSON schema so that both
// forms accept exactly the same sets. Each is far above anything a real pipeline produces and
// far below what would let a hostile or corrupted input make a decoder allocate gigabytes.
import { MAX_WALK_PIXELS } from '../coco-mask/intersect.ts';

/** The official preset yields at most 1024 proposals (one per grid point); sam2-amg with crops more. */
export const MAX_CANDIDATES = 16384;
/** DINOv2 dims are 384/768/1024/1536. */
export const MAX_EMBEDDING_DIM = 4096;
/** Longest image side (JPEG's own limit is 65535). */
export const MAX_IMAGE_SIDE = 65535;
/** Largest width × height: matching walks mask positions as int32. */
export const MAX_IMAGE_PIXELS = MAX_WALK_PIXELS;
/** Model and pipeline ids, in UTF-8 bytes. */
export const MAX_ID_BYTES = 256;

export const EMBEDDING_DTYPES = ['float32', 'float16'] as const;
export type EmbeddingDtype = (typeof EMBEDDING_DTYPES)[number];
