// `npm start`: refseg on this machine — a gpu-node on the default model presets, and the edge in
// front of it. Missing models are pulled first (with progress bars); when the hub cannot be
// reached it says so, names the files and the folder they belong in, and exits non-zero.
// `npm start -- --standin` runs on the project's generated stand-in models instead (offline), and
// a person at a terminal whose models are missing is asked which of the two they want. A local
// run prints the page's URL and a new API key (start-local.ts).
//
// Environment: REFSEG_MODELS_DIR (models folder), REFSEG_SAM2 / REFSEG_DINOV2 (preset ids or
// paths), REFSEG_GPU_PORT (default 8700), REFSEG_GPU_SECRET (default: generated for this run), and
// the edge's own variables (REFSEG_EDGE_PORT, REFSEG_DB, …; see edge/config.ts).
import { randomBytes } from 'node:crypto';
import { runCli } from './gpu-node/cli/main.ts';
import { locateModels } from './gpu-node/local/model-paths.ts';
import type { ModelChoice } from './gpu-node/local/model-paths.ts';
import { serveGpuNode } from './gpu-node/http/server.ts';
import type { RunningNode } from './gpu-node/http/server.ts';
import { modelsDir } from './gpu-node/model-store/index.ts';
import { openPipeline } from './gpu-node/pipeline/index.ts';
import { standinModels, standinSamples } from './gpu-node/standin/cache.ts';
import { askWhenModelsMissing, isLocalUrl, makeLocalKey, parseStartArgs, welcomeLines } from './start-local.ts';

const DEFAULT_GPU_PORT = 8700;

interface Stoppable {
  url: string;
  close(): Promise<void>;
}

/**
 * The edge in front of the local gpu-node, through its Node entry point (edge/adapters/node.ts).
 * The edge reads its configuration from the environment; the gpu-node's URL and secret are added.
 */
async function startEdge(gpu: RunningNode, secret: string): Promise<Stoppable & { key: string | null }> {
  const { startNodeEdge } = await import('./edge/adapters/node.ts');
  const edge = await startNodeEdge({ env: { ...process.env, REFSEG_GPU_NODES: gpu.url, REFSEG_GPU_SECRET: secret } });
  return { url: edge.url, close: () => edge.close(), key: isLocalUrl(edge.url) ? await makeLocalKey(edge.services.keys) : null };
}

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: new AbortController().signal };

/** Pulls what is missing; false when a download failed (the pull command has said why and how to fix it). */
async function ensureModels(choice: ModelChoice): Promise<boolean> {
  const { missing } = await locateModels(choice, process.env);
  if (missing.length === 0) return true;
  process.stderr.write(`refseg: downloading model preset${missing.length > 1 ? 's' : ''} ${missing.map((p) => p.id).join(' and ')} into ${choice.dir ?? modelsDir()}\n`);
  let ok = true;
  // One pull per preset, so a failure still prints the manual steps for every missing preset.
  for (const preset of missing) ok = (await runCli(['models', 'pull', preset.id], io)) === 0 && ok;
  if (!ok) {
    process.stderr.write(
      '\nrefseg cannot start without these models. Put the files listed above in the folders named there ' +
        '(or set REFSEG_MODELS_DIR, REFSEG_HUB_URL for a reachable mirror), then run `npm start` again.\n',
    );
  }
  return ok;
}

/** The real models (pulled when missing), or the stand-ins when asked for; null to stop. */
async function chooseModels(standin: boolean): Promise<{ sam2Dir: string; dinoPath: string } | null> {
  const env = process.env;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (standin) return standinModels(env, log);
  const choice: ModelChoice = { dir: env.REFSEG_MODELS_DIR || undefined, sam2: env.REFSEG_SAM2 || undefined, dinov2: env.REFSEG_DINOV2 || undefined };
  const { missing } = await locateModels(choice, env);
  if (missing.length > 0 && process.stdin.isTTY && process.stdout.isTTY) {
    const answer = await askWhenModelsMissing(missing.map((p) => p.id), choice.dir ?? modelsDir(), { input: process.stdin, output: process.stdout });
    if (answer === 'quit') return null;
    if (answer === 'standin') return standinModels(env, log);
  }
  if (!(await ensureModels(choice))) {
    process.stderr.write('To try refseg offline without them: `npm start -- --standin` (stand-in models; results mean nothing on real photos).\n');
    return null;
  }
  return locateModels(choice, env);
}

async function main(): Promise<number> {
  const env = process.env;
  let args;
  try {
    args = parseStartArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`refseg: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const models = await chooseModels(args.standin);
  if (!models) return 1;
  const { sam2Dir, dinoPath } = models;
  const secret = env.REFSEG_GPU_SECRET || randomBytes(24).toString('base64url');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const pipeline = openPipeline({ sam2Dir, dinoPath, log });
  const gpu = await serveGpuNode({ pipeline, secret, port: Number(env.REFSEG_GPU_PORT || DEFAULT_GPU_PORT), log });
  process.stdout.write(`gpu-node: ${gpu.url} (models loading…)\n`);
  const loaded = await pipeline.then(
    (p) => {
      process.stdout.write(`gpu-node ready: ${p.modelId}\n`);
      return true;
    },
    (err) => {
      process.stderr.write(`refseg: the models did not load: ${err instanceof Error ? err.message : String(err)}\n`);
      return false;
    },
  );
  if (!loaded) {
    await gpu.close();
    return 1;
  }
  const edge = await startEdge(gpu, secret);
  // The loaded models say whether they are stand-ins (also when REFSEG_SAM2 points at some).
  const standin = (await pipeline).info.standin;
  const samples = standin ? await standinSamples(env) : undefined;
  process.stdout.write(`${welcomeLines({ edgeUrl: edge.url, key: edge.key, standin, samples }).join('\n')}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('\nStopping…\n');
  await edge.close();
  await gpu.close();
  await pipeline.then((p) => p.close());
  return 0;
}

process.exitCode = await main();
