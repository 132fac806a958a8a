// The portable bank file (shared/schemas.ts BankFileSchema): model and pipeline ids, classes in
// label order, each with its positive and negative instance vectors (base64 float32). Masks and
// reference sources stay on the server that made them: the vectors are all another server with
// the same models needs, and a file should not carry the customer's image-derived masks.
import { vectorToBase64 } from '../../shared/bank/vectors.ts';
import type { BankFile } from '../../shared/schemas.ts';
import type { BankSnapshot } from './snapshot.ts';

export function toBankFile(snapshot: BankSnapshot): BankFile {
  const { record, references } = snapshot;
  const vectors = (name: string, negative: boolean) =>
    references.filter((r) => r.className === name && r.negative === negative).map((r) => ({ referenceId: r.id, vector: vectorToBase64(r.vector) }));
  return {
    format: 'refseg.bank',
    version: 1,
    name: record.name,
    modelId: record.modelId,
    pipelineId: record.pipelineId,
    // A bank without references has no dimension yet; any valid one describes its zero vectors.
    dim: record.dim ?? 1,
    classes: record.classes.map((name) => ({ name, instances: vectors(name, false), negatives: vectors(name, true) })),
  };
}
