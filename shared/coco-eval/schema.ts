// zod schemas for COCO files read from outside (annotation files, result lists). Members other
// than the ones evaluation reads are kept as they are.
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { PolygonsSchema, RleSchema, UncompressedRleSchema } from '../schemas.ts';
import type { CocoDataset, CocoResult } from './types.ts';

const id = z.number().int();
const box = z.array(z.number()).length(4).describe('COCO [x, y, w, h].');
const SegmentationSchema = z.union([PolygonsSchema, RleSchema, UncompressedRleSchema]);

export const CocoImageSchema = z.looseObject({
  id,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  file_name: z.string().optional(),
});

export const CocoCategorySchema = z.looseObject({ id, name: z.string(), supercategory: z.string().optional() });

export const CocoAnnotationSchema = z.looseObject({
  id,
  image_id: id,
  category_id: id,
  bbox: box,
  area: z.number().min(0),
  iscrowd: z.union([z.number().int(), z.boolean()]).optional(),
  segmentation: SegmentationSchema.optional(),
  isimpossible: z.number().optional(),
});

export const CocoDatasetSchema = z
  .looseObject({
    images: z.array(CocoImageSchema),
    annotations: z.array(CocoAnnotationSchema),
    categories: z.array(CocoCategorySchema),
  })
  .describe('COCO instances annotation file.');

export const CocoResultSchema = z.looseObject({
  image_id: id,
  category_id: id,
  score: z.number(),
  bbox: box.optional(),
  segmentation: SegmentationSchema.optional(),
});

export const CocoResultsSchema = z.array(CocoResultSchema).describe('COCO detection results.');

/** Parses an annotation file's JSON value; a ValidationError names the offending path. */
export function parseCocoDataset(json: unknown): CocoDataset {
  const r = CocoDatasetSchema.safeParse(json);
  if (!r.success) throw ValidationError.fromZod(r.error);
  return r.data as CocoDataset;
}

/** Parses a result list's JSON value; a ValidationError names the offending path. */
export function parseCocoResults(json: unknown): CocoResult[] {
  const r = CocoResultsSchema.safeParse(json);
  if (!r.success) throw ValidationError.fromZod(r.error);
  return r.data as CocoResult[];
}
