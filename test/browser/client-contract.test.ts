// shared/client against the edge's own description of its API: every client call lands on the
// operation of the same name in the edge's OpenAPI document, with declared query parameters, a
// declared body media type and declared multipart parts; and (at compile time) the client's
// request and response types are those of the schemas the edge validates and documents with.
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  AddReferencesResponseSchema,
  BankListSchema,
  BankViewSchema,
  CreateBankSchema,
  ImageResponseSchema,
  MaskPreviewResponseSchema,
  ReferenceListSchema,
  SegmentResponseSchema,
  ServiceInfoSchema,
} from '../../edge/api/schemas.ts';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { createMemoryStorage } from '../../edge/storage/index.ts';
import { createRefsegClient } from '../../shared/client/index.ts';
import type {
  AddReferencesResponse,
  BankSummary,
  BankView,
  CreateBankInput,
  ImageResponse,
  MaskPreviewResponse,
  RefsegClient,
  ReferenceView,
  SegmentResponse,
  ServiceInfo,
} from '../../shared/client/index.ts';
import type { BankFile } from '../../shared/schemas.ts';

interface Operation {
  operationId: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

interface Sent {
  method: string;
  path: string;
  query: string[];
  mediaType: string | null;
  parts: string[] | null;
}

/** Records what the client sends; answers 200 with a body that fits every method's unwrapping. */
function recordingClient(): { client: RefsegClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const mediaType = req.headers.get('Content-Type')?.split(';')[0] ?? null;
    const parts = mediaType === 'multipart/form-data' ? [...new Set((await req.formData()).keys())] : null;
    sent.push({ method: req.method.toLowerCase(), path: url.pathname, query: [...url.searchParams.keys()], mediaType, parts });
    return Response.json({ banks: [], references: [] });
  };
  return { client: createRefsegClient({ baseUrl: 'http://edge.test', apiKey: 'k', fetch }), sent };
}

/** The operation whose path template matches `path` (`{bankId}` matches one segment). */
function operationFor(doc: OpenApi, method: string, path: string): { template: string; op: Operation } | null {
  for (const [template, ops] of Object.entries(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(path) && ops[method]) return { template, op: ops[method] };
  }
  return null;
}

let doc: OpenApi;

beforeAll(async () => {
  // No gpu-node is needed to describe the API; the URL is never called.
  const config = configFromEnv({ REFSEG_GPU_NODES: 'http://127.0.0.1:9', REFSEG_GPU_SECRET: 's', REFSEG_LOG: 'off' });
  const edge = createEdgeApp({ storage: createMemoryStorage(), gpu: gpuPoolFromConfig(config), config });
  const res = await edge.app.fetch(new Request('http://edge.test/openapi.json'));
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApi;
});

describe('shared/client calls the edge operations it is named after', () => {
  const image = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' });
  const file: BankFile = { format: 'refseg.bank', version: 1, modelId: 'm', pipelineId: 'p', dim: 1, classes: [] };
  const annotations = [{ className: 'a', box: [0, 0, 2, 2] as [number, number, number, number] }];
  const calls: [operationId: string, call: (c: RefsegClient) => Promise<unknown>][] = [
    ['createBank', (c) => c.createBank({ name: 'n', classes: ['a'] })],
    ['listBanks', (c) => c.listBanks()],
    ['getBank', (c) => c.getBank('b1')],
    ['deleteBank', (c) => c.deleteBank('b1')],
    ['addClasses', (c) => c.addClasses('b1', ['b'])],
    ['removeClass', (c) => c.removeClass('b1', 'a')],
    ['exportBank', (c) => c.exportBank('b1')],
    ['importBank', (c) => c.importBank(file, { id: 'b2', name: 'copy' })],
    ['addReferences', (c) => c.addReferences('b1', image, annotations, { exif: 'ignore' })],
    ['addReferences', (c) => c.addReferenceImages('b1', [{ image, annotations }, { image, annotations }])],
    ['listReferences', (c) => c.listReferences('b1')],
    ['deleteReference', (c) => c.deleteReference('b1', 'r1')],
    ['uploadImage', (c) => c.uploadImage(image, { exif: 'apply', preset: 'official' })],
    ['segment', (c) => c.segment('b1', image, { maxDetections: 3 }, { exif: 'ignore' })],
    ['segment', (c) => c.segment('b1', { imageId: 'a'.repeat(64) }, { maxDetections: 3 })],
    ['segmentCandidates', (c) => c.segmentCandidates('b1', new Uint8Array([1, 2, 3]), { maxDetections: 3 }, { exif: 'ignore' })],
    ['previewMask', (c) => c.previewMask(image, { box: [0, 0, 2, 2] }, { exif: 'ignore' })],
    ['previewMask', (c) => c.previewMask(image, { points: [[1, 1, 1], [0, 0, 0]] })],
    ['info', (c) => c.info()],
  ];

  it.each(calls.map(([id, call], i) => [`${i}: ${id}`, id, call] as const))('%s', async (_label, operationId, call) => {
    const { client, sent } = recordingClient();
    await call(client);
    expect(sent).toHaveLength(1);
    const [s] = sent;
    const found = operationFor(doc, s.method, s.path);
    expect(found, `${s.method} ${s.path} is not in the OpenAPI document`).not.toBeNull();
    const { op } = found!;
    expect(op.operationId).toBe(operationId);
    const declaredQuery = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const q of s.query) expect(declaredQuery, `query parameter ${q}`).toContain(q);
    if (s.mediaType === null) {
      expect(op.requestBody, 'the operation takes a body the client did not send').toBeUndefined();
      return;
    }
    const content = op.requestBody?.content ?? {};
    expect(Object.keys(content)).toContain(s.mediaType);
    if (s.parts !== null) {
      const declaredParts = Object.keys(content[s.mediaType].schema?.properties ?? {});
      for (const part of s.parts) expect(declaredParts, `multipart part ${part}`).toContain(part);
    }
  });

  it('covers every tenant operation of the document', () => {
    const tenantOps = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/') && !path.startsWith('/v1/admin/'))
      .flatMap(([, ops]) => Object.values(ops).map((op) => op.operationId));
    expect([...new Set(calls.map(([id]) => id))].sort()).toEqual([...new Set(tenantOps)].sort());
  });
});

describe('shared/client response types equal the edge schemas\' output types', () => {
  it('type-checks (enforced by tsc --noEmit)', () => {
    expectTypeOf<CreateBankInput>().toEqualTypeOf<z.input<typeof CreateBankSchema>>();
    expectTypeOf<BankView>().toEqualTypeOf<z.output<typeof BankViewSchema>>();
    expectTypeOf<{ banks: BankSummary[] }>().toEqualTypeOf<z.output<typeof BankListSchema>>();
    expectTypeOf<{ references: ReferenceView[] }>().toEqualTypeOf<z.output<typeof ReferenceListSchema>>();
    expectTypeOf<AddReferencesResponse>().toEqualTypeOf<z.output<typeof AddReferencesResponseSchema>>();
    expectTypeOf<ImageResponse>().toEqualTypeOf<z.output<typeof ImageResponseSchema>>();
    expectTypeOf<SegmentResponse>().toEqualTypeOf<z.output<typeof SegmentResponseSchema>>();
    expectTypeOf<MaskPreviewResponse>().toEqualTypeOf<z.output<typeof MaskPreviewResponseSchema>>();
    expectTypeOf<ServiceInfo>().toEqualTypeOf<z.output<typeof ServiceInfoSchema>>();
  });
});
