// Reading a portable bank file (shared/schemas.ts BankFileSchema): model and pipeline ids, classes
// in label order, each with its positive and negative instance vectors (base64 float32). The edge
// imports banks with it, the dataset commands match against one.
import { ModelMismatchError, ValidationError } from '../errors.ts';
import type { ValidationIssue } from '../errors.ts';
import { base64ToBytes } from '../encoding/base64.ts';
import { readFloat32LE } from '../encoding/little-endian.ts';
import { BankFileSchema } from '../schemas.ts';
import { unusableVector } from './vectors.ts';

export interface ImportedReference {
  id: string;
  className: string;
  negative: boolean;
  vector: Float32Array;
}

export interface ParsedBankFile {
  name: string | undefined;
  modelId: string;
  pipelineId: string;
  /** Null when the file holds no vector (its `dim` then constrains nothing). */
  dim: number | null;
  classes: string[];
  /** Positives then negatives per class, classes in file order. */
  references: ImportedReference[];
}

/**
 * Validates a bank file and refuses one made with other models than `modelId` (its vectors could
 * not be compared with this edge's embeddings) or, when given, another embedding dimension.
 */
export function parseBankFile(input: unknown, expected: { modelId: string; dim?: number }): ParsedBankFile {
  const parsed = BankFileSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const file = parsed.data;
  if (file.modelId !== expected.modelId) throw new ModelMismatchError(expected.modelId, file.modelId, { field: 'modelId' });
  const references: ImportedReference[] = [];
  const unusable: ValidationIssue[] = [];
  file.classes.forEach((cls, ci) => {
    for (const kind of ['instances', 'negatives'] as const) {
      cls[kind].forEach((v, ri) => {
        const vector = readFloat32LE(base64ToBytes(v.vector), 0, file.dim);
        if (unusableVector(vector) !== null) unusable.push({ path: `classes[${ci}].${kind}[${ri}].vector`, message: 'a zero vector has no direction', code: 'zero-vector' });
        references.push({ id: v.referenceId, className: cls.name, negative: kind === 'negatives', vector });
      });
    }
  });
  if (unusable.length > 0) throw new ValidationError(unusable, { status: 422 });
  const dim = references.length === 0 ? null : file.dim;
  if (dim !== null && expected.dim !== undefined && dim !== expected.dim) {
    throw new ValidationError([{ path: 'dim', message: `this edge's model has dimension ${expected.dim}, the file ${dim}`, code: 'dimension-mismatch' }], { status: 422 });
  }
  return { name: file.name, modelId: file.modelId, pipelineId: file.pipelineId, dim, classes: file.classes.map((c) => c.name), references };
}
