// For drivers that cannot host the gpu-node themselves (api.deno.ts under Deno): starts the
// stand-in gpu-node, writes the test scenes to a JSON file, prints one JSON line
// { url, secret, scenes } on stdout, and runs until stdin closes or SIGTERM.
//   npx tsx test/edge/serve-gpu-node.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandinGpuNode } from './harness/gpu-node.ts';
import { testScenes } from './harness/scenes.ts';
import { scenesToJson } from './harness/scenes-json.ts';

const [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
const dir = await mkdtemp(join(tmpdir(), 'refseg-scenes-'));
const file = join(dir, 'scenes.json');
await writeFile(file, JSON.stringify(scenesToJson(scenes)));
process.stdout.write(`${JSON.stringify({ url: gpu.url, secret: gpu.secret, scenes: file })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await gpu.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
