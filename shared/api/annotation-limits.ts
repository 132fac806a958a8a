// What one reference annotation and one request may hold in polygons. Rasterising costs about
// (edges) × (image columns they cross), so the vertices are bounded before any of it runs: per
// annotation (422, the annotation itself is unreasonable) and per request (413, the request as a
// whole is too big; split it). Both the edge and the gpu-node check, the edge before any upload
// leaves it. Real instance outlines (COCO, LVIS) stay far below: a few hundred vertices.
import { MalformedPolygonError, RefsegError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';

export const POLYGON_LIMITS = {
  polygonsPerAnnotation: 100,
  verticesPerAnnotation: 10_000,
  verticesPerRequest: 20_000,
} as const;

export class TooManyVerticesError extends RefsegError {
  constructor(vertices: number, limit: number, options?: RefsegErrorOptions) {
    super(
      413,
      'too-many-vertices',
      'Too many polygon vertices',
      `The request's polygons have ${vertices} vertices in all; the limit is ${limit} per request. Send the references in several requests.`,
      { ...options, extra: { ...options?.extra, vertices, limit } },
    );
  }
}

interface WithPolygons {
  polygons?: readonly (readonly unknown[])[];
}

/** Vertices of one annotation's polygons (0 for masks and boxes); 422 past the per-annotation limits. */
export function checkAnnotationPolygons(a: WithPolygons, field: string): number {
  if (!Array.isArray(a.polygons)) return 0;
  const { polygonsPerAnnotation, verticesPerAnnotation } = POLYGON_LIMITS;
  if (a.polygons.length > polygonsPerAnnotation) {
    throw new MalformedPolygonError(`${field}.polygons: ${a.polygons.length} polygons; at most ${polygonsPerAnnotation} per annotation`, {
      field: `${field}.polygons`,
      extra: { limit: polygonsPerAnnotation },
    });
  }
  let vertices = 0;
  for (const p of a.polygons) vertices += Array.isArray(p) ? Math.floor(p.length / 2) : 0;
  if (vertices > verticesPerAnnotation) {
    throw new MalformedPolygonError(`${field}.polygons: ${vertices} vertices; at most ${verticesPerAnnotation} per annotation`, {
      field: `${field}.polygons`,
      extra: { limit: verticesPerAnnotation },
    });
  }
  return vertices;
}

/** Checks every annotation, then the request's total (413). `fieldOf(i)` names annotation i. */
export function checkRequestPolygons(annotations: readonly WithPolygons[], fieldOf: (i: number) => string): void {
  let total = 0;
  annotations.forEach((a, i) => {
    total += checkAnnotationPolygons(a, fieldOf(i));
  });
  if (total > POLYGON_LIMITS.verticesPerRequest) throw new TooManyVerticesError(total, POLYGON_LIMITS.verticesPerRequest);
}
