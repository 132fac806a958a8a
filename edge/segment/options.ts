// A client's segment options (class names) → the matching options of shared/matching (class
// indices), against one bank. Unknown class names are 404s, as an unknown bank is.
import { NotFoundError, UnprocessableError } from '../../shared/errors.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import { SegmentOptionsSchema } from '../../shared/schemas.ts';
import type { SegmentOptions } from '../../shared/schemas.ts';
import type { MatchingBank } from '../banks/index.ts';
import { check } from '../routes/validate.ts';

/** Segment options with the per-class thresholds keyed by class name in a Map. */
export type CheckedSegmentOptions = Omit<SegmentOptions, 'perClassThresholds'> & { perClassThresholds: ReadonlyMap<string, number> };

const thresholdsSchema = SegmentOptionsSchema.shape.perClassThresholds.unwrap();

/**
 * The client's options (parsed JSON) checked against SegmentOptionsSchema. Class names are data:
 * zod leaves a `__proto__` key out of a record (it would replace the prototype of a plain object),
 * but `__proto__` is a valid class name, so the thresholds are read from the client's own keys
 * into a Map, each name and value checked by the record's own schemas.
 */
export function checkSegmentOptions(raw: unknown, field: string): CheckedSegmentOptions {
  const options = check(SegmentOptionsSchema, raw, field);
  const given = ownObject(ownObject(raw)?.perClassThresholds);
  const thresholds = new Map<string, number>();
  for (const [name, value] of Object.entries(given ?? {})) {
    const at = `${field}.perClassThresholds.${name}`;
    thresholds.set(check(thresholdsSchema.keyType, name, at), check(thresholdsSchema.valueType, value, at));
  }
  return { ...options, perClassThresholds: thresholds };
}

function ownObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export interface ResolvedSegmentOptions {
  pipeline: PipelineOptionsInput;
  /** Classes asked for (all by default) that have no positive reference. */
  classesWithoutReferences: string[];
}

export function resolveSegmentOptions(bank: MatchingBank, options: CheckedSegmentOptions): ResolvedSegmentOptions {
  const labelOf = new Map(bank.classes.map((name, label) => [name, label]));
  const label = (name: string, field: string): number => {
    const l = labelOf.get(name);
    if (l === undefined) throw new NotFoundError('class', name, { field, extra: { bankId: bank.bankId } });
    return l;
  };
  const asked = options.classes === undefined ? bank.classes.map((_, l) => l) : options.classes.map((name, i) => label(name, `options.classes[${i}]`));
  const matchable = new Set(bank.matchable);
  const classes = asked.filter((l) => matchable.has(l));
  const classesWithoutReferences = asked.filter((l) => !matchable.has(l)).map((l) => bank.classes[l]);
  if (classes.length === 0) {
    throw new UnprocessableError(
      `Bank "${bank.bankId}" has no positive reference for ${options.classes === undefined ? 'any class' : 'the classes asked for'}; add references first.`,
      { field: options.classes === undefined ? undefined : 'options.classes', extra: { classesWithoutReferences } },
      'no-references',
      'No references',
    );
  }
  const classThresholds: Record<string, number> = {};
  for (const [name, threshold] of options.perClassThresholds) {
    classThresholds[String(label(name, `options.perClassThresholds.${name}`))] = threshold;
  }
  return {
    pipeline: {
      classes,
      scoreThreshold: options.scoreThreshold,
      classThresholds,
      maxDetections: options.maxDetections,
      officialBoxCompat: options.officialBoxCompat,
      ...(options.zeroScoreLabel === undefined ? {} : { zeroScoreLabel: options.zeroScoreLabel }),
    },
    classesWithoutReferences,
  };
}
