// A COCO annotation's `segmentation` → RLE / mask, as pycocotools' COCO.annToRLE / annToMask.
import { MalformedPolygonError } from '../errors.ts';
import type { Rle } from '../types.ts';
import { decodeRle, frUncompressed } from './codec.ts';
import { MaskSizeMismatchError, RleFormatError } from './errors.ts';
import { mergeRles } from './merge.ts';
import { frPoly } from './polygon.ts';
import { cachedCounts } from './rle-counts.ts';

/** Uncompressed RLE as COCO stores crowd regions: runs as a plain list. */
export interface UncompressedRle {
  size: [h: number, w: number];
  counts: number[];
}

/** Polygons (one object may have several parts), uncompressed RLE or compressed RLE. */
export type CocoSegmentation = number[][] | UncompressedRle | Rle;

/**
 * Polygons are rasterised one by one and united; an uncompressed RLE is compressed; a compressed
 * RLE is returned as it is (after checking that it decodes). Unlike pycocotools, which uses the
 * RLE's own size, an RLE whose size is not h×w is refused: its mask would not fit the image.
 */
export function annToRle(segmentation: CocoSegmentation, h: number, w: number): Rle {
  if (Array.isArray(segmentation)) return polygonsToRle(segmentation, h, w);
  if (typeof segmentation !== 'object' || segmentation === null) {
    throw new RleFormatError('a segmentation is a list of polygons or an RLE {size, counts}');
  }
  const { size, counts } = segmentation;
  if (!Array.isArray(size) || size[0] !== h || size[1] !== w) {
    throw new MaskSizeMismatchError(`segmentation RLE has size ${JSON.stringify(size)}, the image is [${h}, ${w}]`);
  }
  if (Array.isArray(counts)) return frUncompressed(counts, h, w);
  if (typeof counts !== 'string') throw new RleFormatError('segmentation counts must be a string or a list of run lengths');
  cachedCounts(segmentation as Rle);
  return segmentation as Rle;
}

function polygonsToRle(polygons: number[][], h: number, w: number): Rle {
  // pycocotools' frPyObjects tells polygons from boxes by the length of the first list only: 4
  // numbers send the whole list to frBbox, which rejects a Python list (TypeError); fewer than
  // 4, or no list at all, is "input type is not supported" (or an IndexError).
  const firstLength = polygons.length > 0 && Array.isArray(polygons[0]) ? polygons[0].length : -1;
  if (firstLength <= 4) {
    throw new MalformedPolygonError(
      firstLength === 4
        ? 'the first polygon has exactly 4 numbers: pycocotools reads the list as boxes and raises; a polygon needs at least 3 points'
        : 'a polygon segmentation is a non-empty list of polygons whose first polygon has more than 4 numbers',
    );
  }
  return mergeRles(
    polygons.map((p, i) => {
      if (!Array.isArray(p)) throw new MalformedPolygonError(`polygon ${i} is not a list of numbers`);
      return frPoly(p, h, w);
    }),
    false,
  );
}

/** annToRle, decoded to a row-major [h, w] 0/1 mask. */
export function annToMask(segmentation: CocoSegmentation, h: number, w: number): Uint8Array {
  return decodeRle(annToRle(segmentation, h, w));
}
