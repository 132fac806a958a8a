// Options of the post-model pipeline. The defaults are the official behaviour (method.md §3.5–§3.8);
// every way refseg departs from it is listed here, and only here.
//
// Deviations that are always on (the official code crashes or emits NaN there):
//  1. Nothing survives the `> 0` filter: the official code raises ValueError('No masks found');
//     refseg returns an empty list.
//  2. Empty 256-grid mask (no logit > 0): officially a NaN embedding, a NaN score and a zero-area
//     box [0,0,0,0] that still sits in the NMS keep list (it suppresses nothing). refseg drops it
//     before matching, when masks are scanned (extraction, or the first step of segmentOfficial):
//     it never enters NMS, and it is not counted in n of the cap min(preMergeCap, n). Visible only
//     when more than preMergeCap boxes survive NMS and an empty one ranks among the first
//     preMergeCap by IoU: refseg then keeps one more candidate after the cut.
//  3. Empty full-resolution mask (a tiny 256-grid mask that vanishes at a small original size):
//     officially its ios is 0/0 = NaN and its NaN score is ranked first in the output. refseg keeps
//     it through NMS (with its 256-grid box, as officially) and the `> 0` filter, then drops it
//     just before the soft merge. It has no effect on any other candidate there (its intersection
//     with every mask is 0), so all others keep their official scores and order.
//  4. A candidate whose cosines are all <= 0 gets score 0; officially its label is whatever
//     torch.topk returns for a row of ties, which is no single rule (on CPU the first class for 1–3
//     and 64+ classes, a fixed middle index for 4–63; CUDA unmeasured). The label matters because
//     the candidate still takes part in the class-aware NMS, suppressing boxes of that class, before
//     the `> 0` filter drops it. zeroScoreLabel chooses: `first` (default), `torch-cpu` (the measured
//     CPU index), `raw-cosine` (class of the largest raw cosine) or `exclude` (kept out of NMS, so
//     it suppresses nothing: departs from the paper). See zero-score-label.ts and docs/fidelity.md.
//  5. COCO boxes are true extents [x, y, x2-x1+1, y2-y1+1] by default; officialBoxCompat gives the
//     official one-pixel-short [x, y, x2-x1, y2-y1].
//  6. Ties of the final score keep the candidates' NMS order (stable sort); CUDA's order is unspecified.
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { zeroScoreLabelSchema } from './zero-score-label.ts';

export const pipelineOptionsSchema = z
  .object({
    /** Detections returned per image (official num_out_instance = 100). */
    maxDetections: z.number().int().min(0).default(100),
    /** Class-aware box NMS on 256-grid boxes: suppressed when IoU > nmsThreshold (official 0.5). */
    nmsThreshold: z.number().min(0).max(1).default(0.5),
    /** Candidates kept after NMS, by descending SAM IoU (official num_out_instance·8 = 800). */
    preMergeCap: z.number().int().min(0).default(800),
    /**
     * Class indices to match against; labels stay indices into the full prototype list. Same as
     * running the official pipeline with only these prototypes. Absent = all classes.
     */
    classes: z.array(z.number().int().min(0)).optional(),
    /** Minimum final score (inclusive) of a detection; 0 keeps all of them, as officially. */
    scoreThreshold: z.number().default(0),
    /**
     * Per-class minimum final score (key = class index), overriding scoreThreshold for that class.
     * Applied before the top-maxDetections cut, so a class with a low threshold can still fill it.
     */
    classThresholds: z.record(z.string().regex(/^(0|[1-9][0-9]*)$/), z.number()).optional(),
    /** Report the official one-pixel-short COCO box [x1, y1, x2-x1, y2-y1]. */
    officialBoxCompat: z.boolean().default(false),
    /** Label of a candidate whose cosines are all <= 0 (deviation 4, zero-score-label.ts). */
    zeroScoreLabel: zeroScoreLabelSchema.default('first'),
  })
  .strict();

/** Options as callers write them (every field optional). */
export type PipelineOptionsInput = z.input<typeof pipelineOptionsSchema>;
/** Options with defaults filled in. */
export type PipelineOptions = z.output<typeof pipelineOptionsSchema>;

/** Fills in defaults; invalid options throw a ValidationError whose paths start with `options`. */
export function resolvePipelineOptions(options: PipelineOptionsInput = {}): PipelineOptions {
  const parsed = pipelineOptionsSchema.safeParse(options);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'options');
  return parsed.data;
}
