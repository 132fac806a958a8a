// Scoring finished results the way the official evaluation does (spec/method.md §5.2): the ground
// truth keeps every image but only the annotations of the evaluated classes, then pycocotools'
// COCOeval for bbox and segm; or COCO-20i-style semantic mIoU over the same classes.
import { CocoIndex, formatFixed, loadRes, runCocoEval, semanticMiouFromCoco } from '../../shared/coco-eval/index.ts';
import type { CocoDataset, CocoEvalReport, CocoResult, SemanticMiouResult } from '../../shared/coco-eval/index.ts';
import { columns } from '../cli/table.ts';

/** The ground truth restricted to some categories' annotations; images and the category list stay whole. */
export function groundTruthFor(gt: CocoDataset, categoryIds: readonly number[]): CocoDataset {
  const keep = new Set(categoryIds);
  return { ...gt, annotations: gt.annotations.filter((a) => keep.has(a.category_id)) };
}

export interface InstanceEvaluation {
  bbox: CocoEvalReport;
  segm: CocoEvalReport;
}

export function evaluateInstances(gt: CocoDataset, results: readonly CocoResult[]): InstanceEvaluation {
  const gtIndex = new CocoIndex(gt);
  // One loadRes for both types, as the official evaluate does.
  const dt = loadRes(gtIndex, results);
  return { bbox: runCocoEval(gtIndex, dt, 'bbox'), segm: runCocoEval(gtIndex, dt, 'segm') };
}

export function evaluateSemantic(gt: CocoDataset, results: readonly CocoResult[], categoryIds: readonly number[], scoreThreshold: number): SemanticMiouResult {
  return semanticMiouFromCoco(gt, results, { classIds: categoryIds, scoreThreshold });
}

const ap = (x: number) => (x < 0 ? '-' : formatFixed(x, 3));

/** pycocotools' summary for both types, each under its "Evaluate annotation type" header. */
export function formatSummaries(e: InstanceEvaluation): string {
  return (['bbox', 'segm'] as const).map((t) => `Evaluate annotation type *${t}*\n${e[t].text}\n`).join('\n');
}

export interface ClassRow {
  categoryId: number;
  name: string;
  /** Ground-truth instances (non-crowd) of the class. */
  instances: number;
}

export function classRows(gt: CocoDataset, categoryIds: readonly number[]): ClassRow[] {
  const names = new Map(gt.categories.map((c) => [c.id, c.name]));
  return [...categoryIds]
    .sort((a, b) => a - b)
    .map((id) => ({
      categoryId: id,
      name: names.get(id) ?? String(id),
      instances: gt.annotations.filter((a) => a.category_id === id && Number(a.iscrowd ?? 0) !== 1).length,
    }));
}

/** Per-class AP@[.50:.95] (all areas, 100 detections); "-" for a class without ground truth. */
export function formatPerClassAp(rows: readonly ClassRow[], e: InstanceEvaluation): string {
  const of = (report: CocoEvalReport, id: number) => report.perCategoryAp.find((c) => c.categoryId === id)?.ap ?? -1;
  const table = rows.map((r) => [r.name, String(r.categoryId), String(r.instances), ap(of(e.bbox, r.categoryId)), ap(of(e.segm, r.categoryId))]);
  return `${columns([['CLASS', 'ID', 'GT', 'BBOX AP', 'SEGM AP'], ...table]).join('\n')}\n`;
}

export function formatSemantic(rows: readonly ClassRow[], s: SemanticMiouResult): string {
  const table = rows.map((r) => {
    const c = s.perClass.find((p) => p.categoryId === r.categoryId);
    return [r.name, String(r.categoryId), c === undefined || Number.isNaN(c.iou) ? '-' : formatFixed(c.iou, 3)];
  });
  return `${columns([['CLASS', 'ID', 'IOU'], ...table]).join('\n')}\nmIoU = ${Number.isNaN(s.miou) ? 'nan' : formatFixed(s.miou, 3)} over ${s.perClass.filter((c) => c.union > 0).length} classes\n`;
}

/** The numbers of a run as JSON (`--metrics`). */
export function metricsJson(rows: readonly ClassRow[], e?: InstanceEvaluation, s?: SemanticMiouResult): Record<string, unknown> {
  const names = new Map(rows.map((r) => [r.categoryId, r.name]));
  const perClass = (report: CocoEvalReport) =>
    report.perCategoryAp.filter((c) => names.has(c.categoryId)).map((c) => ({ categoryId: c.categoryId, name: names.get(c.categoryId), ap: c.ap }));
  return {
    ...(e === undefined ? {} : { bbox: { stats: e.bbox.stats, perClass: perClass(e.bbox) }, segm: { stats: e.segm.stats, perClass: perClass(e.segm) } }),
    ...(s === undefined ? {} : { semantic: { miou: s.miou, perClass: s.perClass.map((c) => ({ ...c, name: names.get(c.categoryId) })) } }),
  };
}
