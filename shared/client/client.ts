// The public HTTP API for browsers, phones (React Native, Capacitor) and servers: fetch, FormData
// and Blob only. It validates nothing itself (the edge does, and answers problem+json, thrown here
// as RefsegApiError), so the bundle stays a few kilobytes with no dependency.
import { apiErrorOf } from './errors.ts';
import type {
  AddReferencesResponse,
  BankFile,
  BankSummary,
  BankView,
  CreateBankInput,
  ExifMode,
  ImageResponse,
  MaskPreviewResponse,
  MaskPrompt,
  ProposalPreset,
  ReferenceAnnotation,
  ReferenceView,
  SegmentOptionsInput,
  SegmentResponse,
  ServiceInfo,
} from './types.ts';

// Multipart part names of the edge routes (test/browser/client-contract.test.ts checks them
// against the edge's OpenAPI document). Importing IMAGE_PART and ANNOTATIONS_PART from
// shared/api/gpu-node.ts would pull zod into the bundle.
const IMAGE_PART = 'image';
const ANNOTATIONS_PART = 'annotations';
const OPTIONS_PART = 'options';
const PROMPT_PART = 'prompt';
// shared/wire's CANDIDATE_SET_MEDIA_TYPE, checked against the document the same way.
const CANDIDATE_SET_TYPE = 'application/vnd.refseg.candidate-set';

export interface RefsegClientOptions {
  /** Where the edge answers, e.g. `https://api.example.com` (paths `/v1/...` are appended). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Replaces the global fetch (tests, instrumented fetches, older runtimes). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Sent as X-Request-Id (1–128 of `A-Za-z0-9_=-`); the edge generates one otherwise. */
  requestId?: string;
}

export interface ImageCallOptions extends CallOptions {
  /** `apply` (default): masks and boxes refer to the EXIF-rotated image, as phones show it. */
  exif?: ExifMode;
}

export interface UploadImageOptions extends ImageCallOptions {
  /** Proposal preset to compute and cache candidates for (default `official`). */
  preset?: ProposalPreset;
}

/** One reference image and the instances annotated on it. */
export interface ReferenceImage {
  image: Blob;
  annotations: ReferenceAnnotation[];
}

export interface ImportBankOptions extends CallOptions {
  /** Id of the new bank (default: generated). */
  id?: string;
  /** Name of the new bank (default: the file's). */
  name?: string;
}

export interface RefsegClient {
  createBank(input: CreateBankInput, call?: CallOptions): Promise<BankView>;
  listBanks(call?: CallOptions): Promise<BankSummary[]>;
  getBank(bankId: string, call?: CallOptions): Promise<BankView>;
  deleteBank(bankId: string, call?: CallOptions): Promise<void>;
  /** Appends classes (they take the next labels). */
  addClasses(bankId: string, classes: string[], call?: CallOptions): Promise<BankView>;
  /** Removes a class and its references; later classes move down one label. */
  removeClass(bankId: string, className: string, call?: CallOptions): Promise<BankView>;
  /** The portable bank file (instance vectors, no images or masks). */
  exportBank(bankId: string, call?: CallOptions): Promise<BankFile>;
  importBank(file: BankFile, call?: ImportBankOptions): Promise<BankView>;
  /** References annotated on one image; all are stored or none. */
  addReferences(bankId: string, image: Blob, annotations: ReferenceAnnotation[], call?: ImageCallOptions): Promise<AddReferencesResponse>;
  /** References on several images in one request; all are stored or none. */
  addReferenceImages(bankId: string, images: ReferenceImage[], call?: ImageCallOptions): Promise<AddReferencesResponse>;
  listReferences(bankId: string, call?: CallOptions): Promise<ReferenceView[]>;
  deleteReference(bankId: string, referenceId: string, call?: CallOptions): Promise<void>;
  /** Sends an image once (its candidates get cached); segment it later by `{ imageId }`. */
  uploadImage(image: Blob, call?: UploadImageOptions): Promise<ImageResponse>;
  /** Every instance of the bank's classes in the image, best first. */
  segment(bankId: string, image: Blob | { imageId: string }, options?: SegmentOptionsInput, call?: ImageCallOptions): Promise<SegmentResponse>;
  /**
   * Detections from a binary candidate set made elsewhere (on this device with onnxruntime-web,
   * docs/on-device.md): the image itself is never sent.
   */
  segmentCandidates(bankId: string, candidateSet: Uint8Array | Blob, options?: SegmentOptionsInput, call?: ImageCallOptions): Promise<SegmentResponse>;
  /** The mask SAM2 makes of a box or of clicks (`{ box }` or `{ points: [[x, y, 1 | 0], …] }`); nothing is stored. */
  previewMask(image: Blob, prompt: MaskPrompt, call?: ImageCallOptions): Promise<MaskPreviewResponse>;
  /** The model in use, whether it is a stand-in, and the upload limits (needs no key). */
  info(call?: CallOptions): Promise<ServiceInfo>;
}

type Query = Record<string, string | undefined>;

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Query;
  /** A FormData goes as multipart (fetch sets the boundary); anything else as JSON. */
  body?: unknown;
  /** Bytes sent as they are, with their media type (instead of `body`). */
  raw?: { bytes: Uint8Array | Blob; type: string };
  options?: CallOptions;
}

export function createRefsegClient(options: RefsegClientOptions): RefsegClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  // Browsers throw "Illegal invocation" when fetch is called detached from its global.
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function send(call: Call): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' };
    if (call.options?.requestId !== undefined) headers['X-Request-Id'] = call.options.requestId;
    let body: BodyInit | undefined;
    if (call.raw !== undefined) {
      headers['Content-Type'] = call.raw.type;
      body = call.raw.bytes as BodyInit;
    } else if (call.body instanceof FormData) body = call.body;
    else if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const res = await doFetch(base + call.path + queryString(call.query), {
      method: call.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(call.options?.signal ? { signal: call.options.signal } : {}),
    });
    if (!res.ok) throw await apiErrorOf(res);
    return res;
  }

  const json = async <T>(call: Call): Promise<T> => (await (await send(call)).json()) as T;
  const empty = async (call: Call): Promise<void> => {
    await (await send(call)).body?.cancel();
  };
  const bank = (bankId: string) => `/v1/banks/${encodeURIComponent(bankId)}`;

  function addReferenceImages(bankId: string, images: ReferenceImage[], call?: ImageCallOptions): Promise<AddReferencesResponse> {
    const form = new FormData();
    // The edge pairs the i-th image part with the i-th annotations part.
    for (const { image, annotations } of images) {
      form.append(IMAGE_PART, image);
      form.append(ANNOTATIONS_PART, JSON.stringify(annotations));
    }
    return json({ method: 'POST', path: `${bank(bankId)}/references`, query: { exif: call?.exif }, body: form, options: call });
  }

  return {
    createBank: (input, call) => json({ method: 'POST', path: '/v1/banks', body: input, options: call }),
    listBanks: async (call) => (await json<{ banks: BankSummary[] }>({ method: 'GET', path: '/v1/banks', options: call })).banks,
    getBank: (bankId, call) => json({ method: 'GET', path: bank(bankId), options: call }),
    deleteBank: (bankId, call) => empty({ method: 'DELETE', path: bank(bankId), options: call }),
    addClasses: (bankId, classes, call) => json({ method: 'POST', path: `${bank(bankId)}/classes`, body: { classes }, options: call }),
    removeClass: (bankId, className, call) =>
      json({ method: 'DELETE', path: `${bank(bankId)}/classes/${encodeURIComponent(className)}`, options: call }),
    exportBank: (bankId, call) => json({ method: 'GET', path: `${bank(bankId)}/export`, options: call }),
    importBank: (file, call) => json({ method: 'POST', path: '/v1/banks/import', query: { id: call?.id, name: call?.name }, body: file, options: call }),
    addReferences: (bankId, image, annotations, call) => addReferenceImages(bankId, [{ image, annotations }], call),
    addReferenceImages,
    listReferences: async (bankId, call) =>
      (await json<{ references: ReferenceView[] }>({ method: 'GET', path: `${bank(bankId)}/references`, options: call })).references,
    deleteReference: (bankId, referenceId, call) =>
      empty({ method: 'DELETE', path: `${bank(bankId)}/references/${encodeURIComponent(referenceId)}`, options: call }),
    uploadImage(image, call) {
      const form = new FormData();
      form.append(IMAGE_PART, image);
      return json({ method: 'POST', path: '/v1/images', query: { exif: call?.exif, preset: call?.preset }, body: form, options: call });
    },
    segment(bankId, image, segmentOptions, call) {
      const path = `${bank(bankId)}/segment`;
      const query = { exif: call?.exif };
      // Tested by shape, not instanceof Blob: Blobs of another realm (an iframe, a polyfill) are Blobs too.
      if (isImageId(image)) {
        return json({ method: 'POST', path, query, body: { imageId: image.imageId, ...(segmentOptions ? { options: segmentOptions } : {}) }, options: call });
      }
      const form = new FormData();
      form.append(IMAGE_PART, image);
      if (segmentOptions) form.append(OPTIONS_PART, JSON.stringify(segmentOptions));
      return json({ method: 'POST', path, query, body: form, options: call });
    },
    segmentCandidates: (bankId, candidateSet, segmentOptions, call) =>
      json({
        method: 'POST',
        path: `${bank(bankId)}/segment-candidates`,
        query: { exif: call?.exif, options: segmentOptions ? JSON.stringify(segmentOptions) : undefined },
        raw: { bytes: candidateSet, type: CANDIDATE_SET_TYPE },
        options: call,
      }),
    previewMask(image, prompt, call) {
      const form = new FormData();
      form.append(IMAGE_PART, image);
      form.append(PROMPT_PART, JSON.stringify(prompt));
      return json({ method: 'POST', path: '/v1/masks/preview', query: { exif: call?.exif }, body: form, options: call });
    },
    info: (call) => json({ method: 'GET', path: '/v1/info', options: call }),
  };
}

function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function isImageId(image: Blob | { imageId: string }): image is { imageId: string } {
  return typeof (image as { imageId?: unknown }).imageId === 'string';
}
