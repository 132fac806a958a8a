// A client's segment options (class names) → the matching options of shared/matching (class
// indices), against one bank. Unknown class names are 404s, as an unknown bank is.
import { NotFoundError, UnprocessableError } from '../../shared/errors.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { SegmentOptions } from '../../shared/schemas.ts';
import type { MatchingBank } from '../banks/index.ts';

export interface ResolvedSegmentOptions {
  pipeline: PipelineOptionsInput;
  /** Classes asked for (all by default) that have no positive reference. */
  classesWithoutReferences: string[];
}

export function resolveSegmentOptions(bank: MatchingBank, options: SegmentOptions): ResolvedSegmentOptions {
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
  for (const [name, threshold] of Object.entries(options.perClassThresholds ?? {})) {
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
