// COCO mask API, bit-identical to pycocotools (2.0.8) on valid input, on Web-standard APIs only.
export { countsToString, stringToCounts } from './counts-string.ts';
export { decodeRle, encodeMask, frUncompressed, rleToUncompressed } from './codec.ts';
export { rleToPolygons } from './contours.ts';
export { MaskSizeMismatchError, RleFormatError } from './errors.ts';
export { intersectionArea, intersectionAreaAbove, intersectionAreaCounts, MAX_WALK_PIXELS, runEnds } from './intersect.ts';
export { bboxIou, rleIou } from './iou.ts';
export type { CrowdFlags } from './iou.ts';
export { countsArea, countsToBbox, rleArea, rleToBbox } from './measure.ts';
export { measuredRuns, RunArena } from './measured-runs.ts';
export type { MeasuredRuns } from './measured-runs.ts';
export { mergeRles } from './merge.ts';
export { frBbox, frPoly } from './polygon.ts';
export { rleCounts } from './rle-counts.ts';
export { annToMask, annToRle } from './segmentation.ts';
export type { CocoSegmentation, UncompressedRle } from './segmentation.ts';
