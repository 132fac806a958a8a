import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCandidateSet } from '../../shared/wire/index.ts';
import { serveGpuNode } from './server.ts';
import type { RunningNode } from './server.ts';
import { fakeCandidateSet, fakePipeline } from './test-pipeline.ts';

const SECRET = 'port-secret';
let node: RunningNode;
const pipeline = fakePipeline();

beforeAll(async () => {
  node = await serveGpuNode({ pipeline, secret: SECRET, port: 0, limits: { maxBodyBytes: 1024 }, log: () => {} });
});
afterAll(async () => {
  await node.close();
});

/** Sends headers announcing `announced` bytes and one small chunk; resolves with the status as soon as it comes. */
function announceBigUpload(announced: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = httpRequest(`${node.url}/v1/candidates`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET}`, 'Content-Length': String(announced), 'Content-Type': 'image/jpeg' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on('error', (err) => (sent > 0 ? undefined : reject(err)));
    req.write(new Uint8Array(100), () => {
      sent += 100;
    });
  });
}

describe('gpu-node over a real port', () => {
  it('serves probes and a binary candidate set', async () => {
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    const image = new TextEncoder().encode('bytes over tcp');
    const res = await fetch(`${node.url}/v1/candidates`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` }, body: image });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeCandidateSet(new Uint8Array(await res.arrayBuffer()))).toEqual(await fakeCandidateSet(image, pipeline.pipelineId('official')));
  });

  it('answers 413 to an announced 50 MB upload after 100 bytes, before the rest is sent', async () => {
    const { status, sent } = await announceBigUpload(50_000_000);
    expect(status).toBe(413);
    expect(sent).toBeLessThanOrEqual(100);
  });
});
