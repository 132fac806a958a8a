// The `annotations` part of a reference upload → checked annotations. ReferenceAnnotationSchema
// (shared/schemas.ts) is the rule; this only sorts its failures so that a broken mask, polygon
// or box is a 422 of its own kind naming the field (`annotations[2].mask.counts: ...`), not a
// generic "invalid union" 400.
import type { ZodType } from 'zod';
import { checkAnnotationPolygons } from '../../shared/api/annotation-limits.ts';
import { MAX_ANNOTATIONS_PER_IMAGE } from '../../shared/api/gpu-node.ts';
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { formatPath, MalformedBoxError, MalformedPolygonError, MalformedRleError, ValidationError } from '../../shared/errors.ts';
import type { RefsegError } from '../../shared/errors.ts';
import { CocoBoxSchema, PolygonsSchema, ReferenceAnnotationSchema, RleSchema, UncompressedRleSchema } from '../../shared/schemas.ts';
import type { ReferenceAnnotation } from '../../shared/schemas.ts';

type Malformed = new (detail: string, options: { field: string }) => RefsegError;

/** Throws `Kind` naming the first failing field of `value` under `field`. */
function checkGeometry(schema: ZodType, value: unknown, field: string, Kind: Malformed): void {
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const at = formatPath(field, issue.path);
  throw new Kind(`${at}: ${issue.message}`, { field: at });
}

function checkAnnotation(a: unknown, field: string): ReferenceAnnotation {
  if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
    const { mask, polygons, box } = a as Record<string, unknown>;
    if (mask !== undefined) {
      const counts = typeof mask === 'object' && mask !== null ? (mask as { counts?: unknown }).counts : undefined;
      checkGeometry(Array.isArray(counts) ? UncompressedRleSchema : RleSchema, mask, `${field}.mask`, MalformedRleError);
    }
    if (polygons !== undefined) {
      checkAnnotationPolygons({ polygons: Array.isArray(polygons) ? polygons : undefined }, field);
      checkGeometry(PolygonsSchema, polygons, `${field}.polygons`, MalformedPolygonError);
    }
    if (box !== undefined) {
      checkGeometry(CocoBoxSchema, box, `${field}.box`, MalformedBoxError);
      const [, , w, h] = box as number[];
      if (!(w > 0 && h > 0)) throw new MalformedBoxError(`${field}.box: width and height must be positive`, { field: `${field}.box` });
    }
  }
  const parsed = ReferenceAnnotationSchema.safeParse(a);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, field);
  return parsed.data;
}

/** `field` is where the list sits in the request (`annotations`, `images[1].annotations`). */
export function parseAnnotations(value: unknown, field: string): ReferenceAnnotation[] {
  if (!Array.isArray(value)) throw new ValidationError([{ path: field, message: 'must be a JSON array of annotations', code: 'invalid_type' }]);
  if (value.length === 0 || value.length > MAX_ANNOTATIONS_PER_IMAGE) {
    throw new ValidationError([{ path: field, message: `give 1 to ${MAX_ANNOTATIONS_PER_IMAGE} annotations per image`, code: 'too_big' }], { status: 422 });
  }
  return value.map((a, i) => checkAnnotation(a, `${field}[${i}]`));
}

/** What the gpu-node is asked for (its field is `class`; `negative` matters only to the bank). */
export function toGpuAnnotation(a: ReferenceAnnotation): GpuReferenceAnnotation {
  if (a.mask !== undefined) return { class: a.className, mask: a.mask };
  if (a.polygons !== undefined) return { class: a.className, polygons: a.polygons };
  return { class: a.className, box: a.box! };
}

export function annotationKind(a: ReferenceAnnotation): 'mask' | 'polygons' | 'box' {
  return a.mask !== undefined ? 'mask' : a.polygons !== undefined ? 'polygons' : 'box';
}
