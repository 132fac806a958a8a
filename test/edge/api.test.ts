// The API suite (api-suite.ts) against the edge on Node, Deno and workerd, each a real HTTP
// server configured from its environment, all forwarding to one gpu-node on stand-in models.
// REFSEG_EDGE_RUNTIMES=node,deno narrows the runtimes while developing; the default is all three.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiCases, edgeEnv, EDGE_ENV_LIMITS, newState } from './api-suite.ts';
import type { SuiteContext } from './api-suite.ts';
import { startStandinGpuNode } from './harness/gpu-node.ts';
import type { StandinGpuNode } from './harness/gpu-node.ts';
import { RUNTIMES, startEdge } from './harness/runtimes.ts';
import type { RunningEdge, RuntimeName } from './harness/runtimes.ts';
import { testScenes } from './harness/scenes.ts';
import type { TestScenes } from './harness/scenes.ts';

const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';
const chosen = (process.env.REFSEG_EDGE_RUNTIMES?.split(',') ?? RUNTIMES) as RuntimeName[];

let gpu: StandinGpuNode;
let scenes: TestScenes;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
});
afterAll(async () => {
  await gpu?.close();
});

for (const runtime of chosen) {
  describe(`edge API on ${runtime}`, () => {
    let edge: RunningEdge;
    const state = newState();
    const ctx = (): SuiteContext => ({ base: edge.url, adminKey: ADMIN_KEY, gpu, scenes, limits: EDGE_ENV_LIMITS });

    beforeAll(async () => {
      edge = await startEdge(runtime, edgeEnv({ adminKey: ADMIN_KEY, gpu }));
    });
    afterAll(async () => {
      await edge?.close();
    });

    for (const c of apiCases) it(c.name, () => c.run(ctx(), state));
  });
}
