// Detections → the JSON a client asked for: class names, masks as RLE, polygons or PNG, and
// optionally one merged (semantic) mask per class.
import type { MaskOutput, SegmentDetection, SemanticMask } from '../../shared/api/edge.ts';
import { mergeRles, rleArea, rleToPolygons } from '../../shared/coco-mask/index.ts';
import { bytesToBase64 } from '../../shared/encoding/base64.ts';
import type { SegmentOptions } from '../../shared/schemas.ts';
import type { Detection, Rle } from '../../shared/types.ts';
import { rleToPng } from '../render/png.ts';

export type MaskFormat = SegmentOptions['maskFormat'];

export async function renderMask(rle: Rle, format: MaskFormat): Promise<MaskOutput> {
  if (format === 'rle') return { size: rle.size, counts: rle.counts };
  if (format === 'polygon') return { size: rle.size, polygons: rleToPolygons(rle) };
  return { size: rle.size, png: bytesToBase64(await rleToPng(rle)) };
}

export async function renderDetections(detections: readonly Detection[], classes: readonly string[], format: MaskFormat): Promise<SegmentDetection[]> {
  return Promise.all(
    detections.map(async (d) => ({
      class: classes[d.label],
      label: d.label,
      score: d.score,
      box: d.box,
      bbox: d.bbox,
      area: d.area,
      mask: await renderMask(d.mask, format),
      index: d.index,
    })),
  );
}

/** One mask per class found: the union of its detections, classes in label order. */
export async function renderSemantic(detections: readonly Detection[], classes: readonly string[], format: MaskFormat): Promise<SemanticMask[]> {
  const byLabel = new Map<number, Rle[]>();
  for (const d of detections) byLabel.set(d.label, [...(byLabel.get(d.label) ?? []), d.mask]);
  const labels = [...byLabel.keys()].sort((a, b) => a - b);
  return Promise.all(
    labels.map(async (label) => {
      const masks = byLabel.get(label)!;
      const merged = masks.length === 1 ? masks[0] : mergeRles(masks, false);
      return { class: classes[label], label, instances: masks.length, area: rleArea(merged), mask: await renderMask(merged, format) };
    }),
  );
}
