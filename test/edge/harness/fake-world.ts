// An edge on Node with in-memory storage in front of real gpu-node HTTP apps over the fake
// pipeline (gpu-node/http/test-pipeline.ts), with helpers to get tenant keys and banks. Closes
// everything it started on `dispose()`.
import sharp from 'sharp';
import { serveGpuNode } from '../../../gpu-node/http/server.ts';
import type { RunningNode } from '../../../gpu-node/http/server.ts';
import { fakePipeline } from '../../../gpu-node/http/test-pipeline.ts';
import type { FakePipeline } from '../../../gpu-node/http/test-pipeline.ts';
import { startNodeEdge } from '../../../edge/adapters/node.ts';
import type { RunningEdge } from '../../../edge/adapters/node.ts';
import type { LogEntry } from '../../../edge/context.ts';
import { createMemoryStorage } from '../../../edge/storage/memory.ts';

export const SECRET = 'fake-gpu-secret';
export const ADMIN = 'admin-0123456789abcdef0123456789abcdef';

export interface FakeNode {
  node: RunningNode;
  pipeline: FakePipeline;
}

export interface FakeWorld {
  nodes: FakeNode[];
  edge: RunningEdge;
  /** The edge's request log. */
  log: LogEntry[];
  /** A new API key of `tenant`. */
  key(tenant: string): Promise<string>;
  call(method: string, path: string, token: string | null, init?: { json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
  dispose(): Promise<void>;
}

export async function fakeWorld(options: { nodes?: number; env?: Record<string, string> } = {}): Promise<FakeWorld> {
  const nodes: FakeNode[] = [];
  for (let i = 0; i < (options.nodes ?? 1); i++) {
    const pipeline = fakePipeline();
    nodes.push({ pipeline, node: await serveGpuNode({ pipeline, secret: SECRET, port: 0, log: () => {} }) });
  }
  const log: LogEntry[] = [];
  const edge = await startNodeEdge({
    env: { REFSEG_GPU_NODES: nodes.map((n) => n.node.url).join(','), REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, ...options.env },
    port: 0,
    storage: createMemoryStorage(),
    log: (entry) => log.push(entry),
  });
  const call: FakeWorld['call'] = (method, path, token, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      body = JSON.stringify(init.json);
    }
    return fetch(edge.url + path, { method, headers, body });
  };
  return {
    nodes,
    edge,
    log,
    call,
    async key(tenant) {
      const res = await call('POST', '/v1/admin/keys', ADMIN, { json: { tenant } });
      if (res.status !== 201) throw new Error(`key for ${tenant}: ${res.status} ${await res.text()}`);
      return (await res.json()).secret;
    },
    async dispose() {
      await edge.close();
      for (const n of nodes) {
        n.pipeline.gate = undefined;
        await n.node.close();
      }
    },
  };
}

/** An 8×6 PNG of one grey value (each value is another image, so another cache entry). */
export async function flatPng(value: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.alloc(8 * 6 * 3, value), { raw: { width: 8, height: 6, channels: 3 } }).png().toBuffer());
}

/** A form with one reference image and its annotations. */
export function referenceForm(image: Uint8Array, annotations: unknown): FormData {
  const form = new FormData();
  form.append('image', new File([image as BlobPart], 'r.png', { type: 'image/png' }));
  form.append('annotations', JSON.stringify(annotations));
  return form;
}
