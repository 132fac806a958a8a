// What clients see of a bank: counts and quality per class, references with their feedback.
// Vectors stay internal (the bank file is the way to take them out).
import type { BankSummary, BankView, ReferenceView } from '../../shared/api/edge.ts';
import { bankQuality } from './quality.ts';
import type { QualityThresholds } from './quality.ts';
import type { BankRecord } from './records.ts';
import type { BankSnapshot } from './snapshot.ts';

export function bankSummary(record: BankRecord, revision: string): BankSummary {
  return {
    id: record.id,
    name: record.name,
    modelId: record.modelId,
    pipelineId: record.pipelineId,
    classes: [...record.classes],
    referenceCount: record.references.length,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revision,
  };
}

/** The bank and every reference, with quality computed once over the whole bank. */
export function bankViews(snapshot: BankSnapshot, thresholds: QualityThresholds): { bank: BankView; references: ReferenceView[] } {
  const { record, references } = snapshot;
  const quality = bankQuality(record.classes, references, thresholds);
  const count = (name: string, negative: boolean) => record.references.filter((r) => r.className === name && r.negative === negative).length;
  const { classes: _names, ...summary } = bankSummary(record, snapshot.version);
  const bank: BankView = {
    ...summary,
    dim: record.dim,
    classes: record.classes.map((name, label) => ({ name, label, positives: count(name, false), negatives: count(name, true), quality: quality.classes[label] })),
  };
  const views = references.map((r, i): ReferenceView => ({
    id: r.id,
    className: r.className,
    negative: r.negative,
    createdAt: r.createdAt,
    source: r.source,
    ...(r.mask === undefined ? {} : { mask: r.mask }),
    quality: quality.references[i],
  }));
  return { bank, references: views };
}
