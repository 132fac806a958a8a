// The standard run, as the official evaluation does it: loadRes, then for one IoU type
// COCOeval(gt, dt).evaluate(); accumulate(); summarize().
import { accumulate, type Accumulated } from './accumulate.ts';
import { CocoIndex } from './coco-index.ts';
import { evaluate } from './evaluate.ts';
import { loadRes } from './load-results.ts';
import { defaultParams, type EvalParams } from './params.ts';
import { perCategoryAp, summarize } from './summarize.ts';
import type { CocoDataset, CocoResult, IouType } from './types.ts';

export interface CocoEvalReport extends Accumulated {
  stats: number[];
  /** The summary exactly as pycocotools prints it (12 lines joined by '\n'). */
  text: string;
  lines: string[];
  perCategoryAp: { categoryId: number; ap: number }[];
}

/**
 * Evaluates results against ground truth. `results` may be a result list (passed through
 * loadRes) or an index already made by loadRes, so bbox and segm can share one. `overrides`
 * replace default parameters (e.g. imgIds) as one would set cocoEval.params before evaluate().
 */
export function runCocoEval(
  gt: CocoDataset | CocoIndex,
  results: readonly CocoResult[] | CocoIndex,
  iouType: IouType,
  overrides: Partial<Omit<EvalParams, 'iouType'>> = {},
): CocoEvalReport {
  const gtIndex = gt instanceof CocoIndex ? gt : new CocoIndex(gt);
  const dtIndex = results instanceof CocoIndex ? results : loadRes(gtIndex, results);
  const acc = accumulate(evaluate(gtIndex, dtIndex, { ...defaultParams(iouType, gtIndex), ...overrides }));
  const { stats, lines } = summarize(acc);
  return { ...acc, stats, lines, text: lines.join('\n'), perCategoryAp: perCategoryAp(acc) };
}
