// "The image never leaves the device": a candidate set made here is matched against the bank here,
// with the edge's own steps (options checked and resolved by edge/segment/options.ts, matchBank of
// shared/bank, detections rendered by edge/segment/render.ts), so the page shows what the edge
// would answer for the same set. The bank's vectors come from its export (GET
// /v1/banks/{id}/export, tenant-scoped), fetched again only when the bank's revision changes.
import { bankVectors, matchBank, parseBankFile } from '../../../shared/bank/index.ts';
import type { BankFile, RefsegClient } from '../../../shared/client/index.ts';
import { decodeCandidateSet } from '../../../shared/wire/index.ts';
import type { MatchingBank } from '../../../edge/banks/matching-bank.ts';
import { checkSegmentOptions, resolveSegmentOptions } from '../../../edge/segment/options.ts';
import { renderDetections } from '../../../edge/segment/render.ts';
import type { PageResult } from './settings.ts';

/** A bank as matching needs it, kept per bank id while its revision holds. */
const banks = new Map<string, MatchingBank>();

/** A bank file as matching needs it: prototypes and negatives as the edge computes them (shared/bank). */
export function matchingBankOfFile(bankId: string, revision: string, file: BankFile): MatchingBank {
  // The file is input like any other: parseBankFile validates it (schema, finite non-zero vectors).
  const parsed = parseBankFile(file, { modelId: file.modelId });
  return {
    bankId,
    revision,
    modelId: parsed.modelId,
    pipelineId: parsed.pipelineId,
    dim: parsed.dim,
    classes: parsed.classes,
    ...bankVectors(parsed.classes, parsed.references, parsed.dim ?? 0),
  };
}

async function matchingBankOf(client: RefsegClient, bankId: string, signal?: AbortSignal): Promise<MatchingBank> {
  const { revision } = await client.getBank(bankId, { signal });
  const known = banks.get(bankId);
  if (known?.revision === revision) return known;
  const bank = matchingBankOfFile(bankId, revision, await client.exportBank(bankId, { signal }));
  banks.set(bankId, bank);
  return bank;
}

/** The bank's detections in a candidate set made on this device, shaped as the edge's segment answer. */
export async function matchLocally(client: RefsegClient, bankId: string, setBytes: Uint8Array, options: unknown, signal?: AbortSignal): Promise<PageResult> {
  const set = decodeCandidateSet(setBytes);
  const bank = await matchingBankOf(client, bankId, signal);
  if (set.modelId !== bank.modelId) {
    throw new Error(`The models on this device (${set.modelId}) are not the bank's (${bank.modelId}): their features cannot be compared.`);
  }
  if (bank.dim !== null && set.dim !== bank.dim) throw new Error(`The device's features have ${set.dim} values, the bank's ${bank.dim}.`);
  const checked = checkSegmentOptions(options, 'options');
  const resolved = resolveSegmentOptions(bank, checked);
  const detections = matchBank(set, bank, resolved.pipeline);
  return {
    imageId: set.imageSha256,
    width: set.width,
    height: set.height,
    orientation: 'applied',
    bankId,
    bankRevision: bank.revision,
    modelId: set.modelId,
    pipelineId: set.pipelineId,
    cache: 'miss',
    classes: bank.classes,
    classesWithoutReferences: resolved.classesWithoutReferences,
    detections: await renderDetections(detections, bank.classes, checked.maskFormat),
  };
}
