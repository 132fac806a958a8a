// Building a portable bank file (shared/schemas.ts BankFileSchema) from a reference plan, and
// reading one back as what matching needs.
import { parseBankFile } from '../../shared/bank/bank-file.ts';
import { bankVectors } from '../../shared/bank/bank-vectors.ts';
import type { BankVectors } from '../../shared/bank/bank-vectors.ts';
import { unusableVector, vectorToBase64 } from '../../shared/bank/vectors.ts';
import { RefsegError } from '../../shared/errors.ts';
import { BankFileSchema } from '../../shared/schemas.ts';
import type { BankFile } from '../../shared/schemas.ts';
import type { DatasetBackend, ProposalChoice } from './backend.ts';
import { DatasetError } from './errors.ts';
import { imagePath, readImage } from './images.ts';
import { parseWith, readJsonFile } from './json-file.ts';
import type { ReferencePlan } from './references.ts';

export interface BuildBankOptions {
  backend: DatasetBackend;
  imagesDir: string;
  plan: ReferencePlan;
  /** Recorded as the bank's pipeline id (the proposals its users will match against). */
  proposals: ProposalChoice;
  name?: string;
  signal?: AbortSignal;
  /** After each reference image: references done so far, and how many of them SAM2 made from a box. */
  onProgress?: (done: number, boxMasks: number) => void;
}

/** Reads every reference image once, gets its references' vectors, and assembles the bank file. Nothing is returned half. */
export async function buildBank(options: BuildBankOptions): Promise<BankFile> {
  const { backend, plan, imagesDir } = options;
  const vectors = new Map<number, { order: number; referenceId: string; vector: string }[]>(plan.classes.map((c) => [c.id, []]));
  let done = 0;
  let boxMasks = 0;
  for (const job of plan.jobs) {
    options.signal?.throwIfAborted();
    const bytes = await readImage(imagesDir, job.image);
    let out;
    try {
      out = await backend.referenceVectors(
        bytes,
        job.entries.map((e) => e.annotation),
      );
    } catch (err) {
      // The model layer names the failing annotation by its index in the request.
      const index = err instanceof RefsegError ? /^annotations\[(\d+)\]/.exec(err.field ?? '')?.[1] : undefined;
      const entry = index === undefined ? undefined : job.entries[Number(index)];
      const which = entry === undefined ? `image ${job.image.id}` : `annotation ${entry.annId} on image ${job.image.id}`;
      throw new DatasetError(`Reference ${which} (${imagePath(imagesDir, job.image)}): ${(err as Error).message}`, { cause: err });
    }
    out.forEach((r, k) => {
      const entry = job.entries[k];
      if (unusableVector(r.vector) !== null) throw new DatasetError(`Reference annotation ${entry.annId} on image ${job.image.id} gave an unusable (zero or non-finite) vector.`);
      vectors.get(entry.categoryId)!.push({ order: entry.order, referenceId: entry.referenceId, vector: vectorToBase64(r.vector) });
      if (r.maskSource === 'sam2-box') boxMasks++;
    });
    done += job.entries.length;
    options.onProgress?.(done, boxMasks);
  }
  const file: BankFile = {
    format: 'refseg.bank',
    version: 1,
    ...(options.name === undefined ? {} : { name: options.name }),
    modelId: backend.modelId,
    pipelineId: backend.pipelineId(options.proposals),
    dim: backend.dim,
    classes: plan.classes.map((c) => ({
      name: c.name,
      instances: vectors
        .get(c.id)!
        .sort((a, b) => a.order - b.order)
        .map(({ referenceId, vector }) => ({ referenceId, vector })),
      negatives: [],
    })),
  };
  return parseWith(BankFileSchema, file, '(being built)', 'bank');
}

/** What matching needs from a bank file. */
export interface LoadedBank extends BankVectors {
  file: BankFile;
  classes: string[];
}

/** Reads and checks a bank file's shape (before any model is opened). */
export async function readBankFile(path: string): Promise<BankFile> {
  return parseWith(BankFileSchema, await readJsonFile(path, 'bank file'), path, 'bank file');
}

/** Prototypes and negatives of a bank made with the given models (ModelMismatchError otherwise). */
export function loadBank(file: BankFile, expected: { modelId: string; dim: number }): LoadedBank {
  const parsed = parseBankFile(file, expected);
  const vectors = bankVectors(parsed.classes, parsed.references, expected.dim);
  if (vectors.matchable.length === 0) throw new DatasetError('The bank has no positive reference: nothing can be found with it.');
  return { file, classes: parsed.classes, ...vectors };
}
