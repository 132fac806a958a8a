// The web app's test stack: a stand-in gpu-node, the edge on a runtime (Node, Deno or workerd,
// test/edge/harness/runtimes.ts) with the page built in, and, where that edge does not have them
// yet, test doubles of the two routes the page needs from the `webapi` work in parallel:
//   POST /v1/masks/preview  → the gpu-node's SAM2 mask of a box (points: of their padded bounding
//                             box), through its /v1/reference-vectors route; `score` is SAM2's
//                             predicted IoU of that mask.
//   GET  /v1/info           → { standin: true } (the stack runs stand-in models).
// With doubles, a proxy on 127.0.0.1 answers those two paths and forwards every other request,
// untouched, to the edge; the page then loads from the proxy. Once the edge has the routes
// (checked at start), the page loads from the edge itself and no double is used.
import { rleToBbox } from '../../shared/coco-mask/index.ts';
import type { Rle } from '../../shared/types.ts';
import { buildPage, writeAssetsModule } from '../../web/build.ts';
import { startPageServer } from '../browser/page-server.ts';
import type { PageServer } from '../browser/page-server.ts';
import { edgeEnv } from '../edge/api-suite.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { startEdge } from '../edge/harness/runtimes.ts';
import type { RunningEdge, RuntimeName } from '../edge/harness/runtimes.ts';

export const ADMIN_KEY = 'web-test-admin-key-0123456789abcdef0123';

export interface WebStack {
  /** Where the page is opened. */
  url: string;
  /** The edge itself (for API calls the test makes directly). */
  edgeUrl: string;
  runtime: RuntimeName;
  /** Routes answered by a test double because the edge lacks them. */
  doubles: string[];
  /** Routes the edge lacks (with doubles off, the page meets their 404s). */
  missing: string[];
  /** With the proxy: its next n segment requests get 503 + Retry-After (a busy GPU). */
  busy(n: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

let built: Promise<void> | null = null;
/** The page module the edge imports, built once per test process (as prestart/pretest do). */
export function buildWebOnce(): Promise<void> {
  built ??= buildPage().then((p) => writeAssetsModule(p));
  return built;
}

async function hasRoute(edgeUrl: string, method: string, path: string): Promise<boolean> {
  const res = await fetch(edgeUrl + path, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  await res.body?.cancel();
  const notFound = res.status === 404 && (res.headers.get('content-type') ?? '').includes('problem');
  return !notFound;
}

/**
 * doubles: false → the page loads from the edge itself, missing routes stay missing.
 * proxy: true → the proxy runs even when no double is needed (for busy()).
 * intercept: answers requests first (a response) or passes them on (null); implies the proxy.
 * env: more environment for the edge.
 */
export async function startWebStack(
  runtime: RuntimeName,
  gpu: StandinGpuNode,
  options: { doubles?: boolean; proxy?: boolean; intercept?: (request: Request) => Promise<Response | null> | Response | null; env?: Record<string, string> } = {},
): Promise<WebStack> {
  await buildWebOnce();
  const edge: RunningEdge = await startEdge(runtime, { ...edgeEnv({ adminKey: ADMIN_KEY, gpu }), REFSEG_MAX_BODY_BYTES: '20000000', REFSEG_MAX_PIXELS: '40000000', ...options.env });
  const missing: string[] = [];
  if (!(await hasRoute(edge.url, 'POST', '/v1/masks/preview'))) missing.push('/v1/masks/preview');
  if (!(await hasRoute(edge.url, 'GET', '/v1/info'))) missing.push('/v1/info');
  const noProxy = !options.intercept && (options.doubles === false || (missing.length === 0 && !options.proxy));
  const noBusy = () => {
    throw new Error('busy() needs the proxy (proxy: true)');
  };
  if (noProxy) return { url: `${edge.url}/`, edgeUrl: edge.url, runtime, doubles: [], missing, busy: noBusy, close: () => edge.close() };
  let busyLeft = 0;
  let busyFor = 1;
  const proxy: PageServer = await startPageServer({}, async (request) => {
    const url = new URL(request.url);
    const answered = await options.intercept?.(request);
    if (answered) return answered;
    if (busyLeft > 0 && request.method === 'POST' && /\/v1\/banks\/[^/]+\/segment$/.test(url.pathname)) {
      busyLeft--;
      await request.arrayBuffer();
      const res = problem(503, 'unavailable', 'Every gpu-node is busy (test).');
      res.headers.set('Retry-After', String(busyFor));
      return res;
    }
    if (missing.includes(url.pathname)) {
      if (url.pathname === '/v1/info') return Response.json({ standin: true, modelId: gpu.modelId });
      return previewDouble(request, gpu);
    }
    const headers = new Headers(request.headers);
    headers.delete('host');
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    const res = await fetch(edge.url + url.pathname + url.search, { method: request.method, headers, body, redirect: 'manual' });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  return {
    url: `${proxy.url}/`,
    edgeUrl: edge.url,
    runtime,
    doubles: missing,
    missing,
    busy(n, retryAfterSeconds) {
      busyLeft = n;
      busyFor = retryAfterSeconds;
    },
    async close() {
      await proxy.close();
      await edge.close();
    },
  };
}

type Prompt = { box: [number, number, number, number] } | { points: [number, number, number][] };

/** The preview contract answered from the gpu-node's box-to-mask step. */
async function previewDouble(request: Request, gpu: StandinGpuNode): Promise<Response> {
  if (!(request.headers.get('authorization') ?? '').startsWith('Bearer rsk_')) return problem(401, 'unauthorized', 'A tenant key is required.');
  const form = await request.formData();
  const image = form.get('image');
  const promptText = form.get('prompt');
  if (!(image instanceof Blob) || typeof promptText !== 'string') return problem(400, 'bad-request', 'Send the parts "image" and "prompt".');
  const prompt = JSON.parse(promptText) as Prompt;
  let box: [number, number, number, number];
  if ('box' in prompt) box = prompt.box;
  else {
    const positive = prompt.points.filter((p) => p[2] === 1);
    if (positive.length === 0) return problem(422, 'unprocessable', 'At least one positive point is needed.');
    const xs = positive.map((p) => p[0]);
    const ys = positive.map((p) => p[1]);
    const pad = 24;
    const x0 = Math.max(0, Math.min(...xs) - pad);
    const y0 = Math.max(0, Math.min(...ys) - pad);
    box = [x0, y0, Math.max(...xs) + pad - x0, Math.max(...ys) + pad - y0];
  }
  const gpuForm = new FormData();
  gpuForm.set('image', image);
  gpuForm.set('annotations', JSON.stringify([{ class: 'preview', box }]));
  const res = await fetch(`${gpu.url}/v1/reference-vectors?exif=apply`, { method: 'POST', headers: { Authorization: `Bearer ${gpu.secret}` }, body: gpuForm });
  if (!res.ok) return new Response(res.body, { status: res.status, headers: res.headers });
  const answer = (await res.json()) as { references: { mask: Rle; predictedIou?: number }[] };
  const { mask, predictedIou } = answer.references[0];
  return Response.json({ mask, score: predictedIou ?? 0, bbox: rleToBbox(mask), orientation: 'exif-applied' });
}

function problem(status: number, slug: string, detail: string): Response {
  return new Response(JSON.stringify({ type: `https://refseg.dev/problems/${slug}`, title: slug, status, detail, requestId: 'web-test-double' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}
