// A gpu-node stand-in for the browser test's edge: it knows one image and answers with a fixed
// candidate set for it and a fixed vector per class name, so the detections the edge returns to
// the browser can be compared with shared/matching run on the same set in Node. Only what the
// edge calls is implemented; requests are checked against the contract in shared/api/gpu-node.ts.
import {
  ANNOTATIONS_PART,
  GPU_NODE_PATHS,
  IMAGE_PART,
  ORIENTATION_HEADER,
  ReferenceAnnotationsSchema,
} from '../../shared/api/gpu-node.ts';
import type { GpuNodeInfo, ReferenceVectorsResponse } from '../../shared/api/gpu-node.ts';
import { frBbox } from '../../shared/coco-mask/index.ts';
import { bytesToBase64, sha256Hex, toLittleEndianBytes } from '../../shared/encoding/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { CANDIDATE_SET_MEDIA_TYPE, encodeCandidateSet } from '../../shared/wire/index.ts';

export interface FakeGpuNodeOptions {
  secret: string;
  set: CandidateSet;
  /** Instance vector returned for each class name. */
  vectors: ReadonlyMap<string, Float32Array>;
}

export interface FakeGpuNode {
  handle(request: Request): Promise<Response>;
  /** Calls received per path (to tell cache hits from gpu work). */
  calls: Map<string, number>;
}

export function createFakeGpuNode(o: FakeGpuNodeOptions): FakeGpuNode {
  const info: GpuNodeInfo = {
    modelId: o.set.modelId,
    dim: o.set.dim,
    registers: 0,
    // One candidate set serves both presets: the test asks for the default one only.
    presets: ['official', 'sam2-amg'],
    defaultPreset: 'official',
    pipelineIds: { official: o.set.pipelineId, 'sam2-amg': `${o.set.pipelineId}-amg` },
    layout: 'onnx-community',
    noMemEmbed: 'kept',
    provider: 'cpu',
    standin: false,
    workers: 1,
    limits: { maxBodyBytes: 1 << 24, maxPixels: 1 << 24, maxConcurrent: 1, maxQueued: 4 },
  };
  const calls = new Map<string, number>();
  const problem = (status: number, detail: string) =>
    Response.json({ type: 'https://refseg.dev/problems/fake', title: 'Fake gpu-node', status, detail, requestId: '' }, { status, headers: { 'Content-Type': 'application/problem+json' } });

  /** The image's bytes: a raw body, or the `image` part of a form. */
  async function checkImage(body: Blob | FormDataEntryValue | null): Promise<Response | null> {
    if (!(body instanceof Blob)) return problem(400, `no "${IMAGE_PART}" file part`);
    const bytes = new Uint8Array(await body.arrayBuffer());
    return (await sha256Hex(bytes)) === o.set.imageSha256 ? null : problem(422, 'this fake knows one image only');
  }

  return {
    calls,
    async handle(request) {
      const path = new URL(request.url).pathname;
      calls.set(path, (calls.get(path) ?? 0) + 1);
      if (request.headers.get('Authorization') !== `Bearer ${o.secret}`) return problem(401, 'wrong secret');
      if (request.method === 'GET' && path === GPU_NODE_PATHS.info) return Response.json(info);
      if (request.method !== 'POST') return problem(404, `no route ${request.method} ${path}`);

      if (path === GPU_NODE_PATHS.candidates) {
        const refused = await checkImage(await request.blob());
        if (refused) return refused;
        return new Response(encodeCandidateSet(o.set) as BodyInit, { headers: { 'Content-Type': CANDIDATE_SET_MEDIA_TYPE, [ORIENTATION_HEADER]: 'applied' } });
      }

      if (path === GPU_NODE_PATHS.referenceVectors) {
        const form = await request.formData();
        const refused = await checkImage(form.get(IMAGE_PART));
        if (refused) return refused;
        const annotations = ReferenceAnnotationsSchema.safeParse(JSON.parse(String(form.get(ANNOTATIONS_PART))));
        if (!annotations.success) return problem(422, annotations.error.message);
        const references: ReferenceVectorsResponse['references'] = [];
        for (const a of annotations.data) {
          const vector = o.vectors.get(a.class);
          if (!vector || !a.box) return problem(422, `the fake answers box references of known classes only (got ${a.class})`);
          references.push({ class: a.class, vector: bytesToBase64(toLittleEndianBytes(vector)), mask: frBbox(a.box, o.set.height, o.set.width), maskSource: 'sam2-box', predictedIou: 0.9 });
        }
        const body: ReferenceVectorsResponse = { modelId: o.set.modelId, dim: o.set.dim, width: o.set.width, height: o.set.height, orientation: 'applied', references };
        return Response.json(body);
      }
      return problem(404, `no route POST ${path}`);
    },
  };
}
