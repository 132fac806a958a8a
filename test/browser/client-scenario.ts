// What a web app does with shared/client, run inside Chromium against the edge served from the
// page's origin: make a bank, add references, segment by upload and by imageId, export, and hit
// the error paths. Returns JSON for the Node side to check.
import { createRefsegClient, RefsegApiError } from '../../shared/client/index.ts';
import type { AddReferencesResponse, BankFile, BankSummary, BankView, ImageResponse, ReferenceAnnotation, SegmentResponse } from '../../shared/client/index.ts';
import { RefsegError } from '../../shared/errors.ts';

export interface ClientScenarioInput {
  apiKey: string;
  /** Path of the scene image on the page's origin. */
  imagePath: string;
  classes: string[];
  /** One reference per class, in class order. */
  references: ReferenceAnnotation[];
}

export interface CaughtError {
  isRefsegApiError: boolean;
  isRefsegError: boolean;
  name: string;
  status: number;
  type: string;
  detail: string;
  field: string | undefined;
  requestId: string;
  problem: unknown;
}

export interface ClientScenarioResult {
  created: BankView;
  added: AddReferencesResponse;
  fetched: BankView;
  listed: BankSummary[];
  byUpload: SegmentResponse;
  uploaded: ImageResponse;
  byImageId: SegmentResponse;
  exported: BankFile;
  unknownBank: CaughtError;
  badOptions: CaughtError;
  afterDelete: CaughtError;
}

export async function runClientScenario(input: ClientScenarioInput): Promise<ClientScenarioResult> {
  const client = createRefsegClient({ baseUrl: location.origin, apiKey: input.apiKey });
  const image = await (await fetch(input.imagePath)).blob();

  const created = await client.createBank({ name: 'Browser shelf', classes: input.classes });
  const added = await client.addReferences(created.id, image, input.references);
  const fetched = await client.getBank(created.id, { requestId: 'browser-get-1' });
  const listed = await client.listBanks();
  const byUpload = await client.segment(created.id, image);
  const uploaded = await client.uploadImage(image);
  const byImageId = await client.segment(created.id, { imageId: uploaded.imageId });
  const exported = await client.exportBank(created.id);
  const unknownBank = await caught(client.getBank('no-such-bank', { requestId: 'browser-missing-1' }));
  const badOptions = await caught(client.segment(created.id, { imageId: uploaded.imageId }, { maxDetections: 0 }));
  await client.deleteBank(created.id);
  const afterDelete = await caught(client.getBank(created.id));
  return { created, added, fetched, listed, byUpload, uploaded, byImageId, exported, unknownBank, badOptions, afterDelete };
}

async function caught(call: Promise<unknown>): Promise<CaughtError> {
  try {
    await call;
  } catch (e) {
    const err = e as RefsegApiError;
    return {
      isRefsegApiError: e instanceof RefsegApiError,
      isRefsegError: e instanceof RefsegError,
      name: err.name,
      status: err.status,
      type: err.type,
      detail: err.detail,
      field: err.field,
      requestId: err.requestId,
      problem: err.problem,
    };
  }
  throw new Error('the call was expected to fail');
}
