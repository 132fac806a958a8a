// The web app on stand-in models for a look by hand (until `npm start -- --standin` exists):
// stand-in gpu-node, the Node edge with the page, the test doubles of test/web/harness.ts where
// the edge lacks a route; prints the page URL, the admin key and a fresh tenant key, and writes
// the test scenes as PNGs to click through with.
//   npx tsx test/web/serve.ts [folder for the scene PNGs, default out/web-scenes]
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import { ADMIN_KEY, startWebStack } from './harness.ts';

const dir = resolve(process.argv[2] ?? 'out/web-scenes');
const [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
const stack = await startWebStack('node', gpu);
await mkdir(dir, { recursive: true });
for (const name of ['reference', 'reference2', 'target', 'target2'] as const) await writeFile(join(dir, `${name}.png`), scenes[name].bytes);
const res = await fetch(`${stack.edgeUrl}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'demo' }) });
const { secret } = (await res.json()) as { secret: string };
process.stdout.write(
  `${JSON.stringify({ url: stack.url, adminKey: ADMIN_KEY, tenantKey: secret, scenes: dir, doubles: stack.doubles })}\n`,
);
const stop = async () => {
  await stack.close();
  await gpu.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
