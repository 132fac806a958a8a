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
//
// Every failure is one line on stderr naming the input and what to do (REFSEG_DEBUG=1 adds the
// stack), with the exit code: 1 when refseg cannot run here (models missing, a port in use, the
// models do not load), 2 when a setting is wrong (an edge variable, REFSEG_SAM2/REFSEG_DINOV2).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { configFromEnv } from './edge/config.ts';
import type { EdgeConfig } from './edge/config.ts';
import { DEFAULT_EDGE_PORT } from './edge/adapters/node.ts';
import { runCli } from './gpu-node/cli/main.ts';
import { RefsegError } from './shared/errors.ts';
import { locateModels } from './gpu-node/local/model-paths.ts';
import type { ModelChoice } from './gpu-node/local/model-paths.ts';
import { serveGpuNode } from './gpu-node/http/server.ts';
import type { RunningNode } from './gpu-node/http/server.ts';
import { modelsDir } from './gpu-node/model-store/index.ts';
import { openPipelineThread } from './gpu-node/http/pipeline-thread.ts';
import { imagesInFlight } from './gpu-node/pipeline/scheduler.ts';
import { standinModels, standinSamples } from './gpu-node/standin/cache.ts';
import { askWhenModelsMissing, isLocalUrl, makeLocalKey, parseStartArgs, welcomeLines } from './start-local.ts';

const DEFAULT_GPU_PORT = 8700;
const EXIT_FAILURE = 1;
const EXIT_SETTINGS = 2;

/** A failure already worded for the person who started refseg. */
class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Refuses at once (before any download or model load) a port another process holds. */
async function assertPortFree(port: number, hostname: string, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(portInUse(port, hostname, variable));
      else if (err.code === 'EACCES') reject(new StartError(`refseg: port ${port} on ${hostname} (${variable}) may not be used by this user; set ${variable} to a port above 1023.`, EXIT_FAILURE));
      else reject(err);
    });
    probe.listen(port, hostname, () => probe.close(() => resolve()));
  });
}

function portInUse(port: number, hostname: string, variable: string): StartError {
  return new StartError(
    `refseg: port ${port} on ${hostname} (${variable}) is already in use; is refseg already running? Stop it, or set ${variable} to a free port.`,
    EXIT_FAILURE,
  );
}

/** The edge's settings, checked before anything starts (a weak admin key, a malformed variable). */
function edgeSettings(gpuPort: number, secret: string): EdgeConfig {
  try {
    return configFromEnv({ ...process.env, REFSEG_GPU_NODES: `http://127.0.0.1:${gpuPort}`, REFSEG_GPU_SECRET: secret });
  } catch (err) {
    throw new StartError(`refseg: ${err instanceof RefsegError ? err.detail : String(err)}`, EXIT_SETTINGS);
  }
}

function portSetting(variable: string, fallback: number): number {
  const text = process.env[variable];
  if (!text) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartError(`refseg: ${variable}="${text}" is not a port number (0–65535).`, EXIT_SETTINGS);
  return port;
}

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
    throw new StartError(`refseg: ${err instanceof Error ? err.message : String(err)}`, EXIT_SETTINGS);
  }
  const secret = env.REFSEG_GPU_SECRET || randomBytes(24).toString('base64url');
  const gpuPort = portSetting('REFSEG_GPU_PORT', DEFAULT_GPU_PORT);
  const edgeConfig = edgeSettings(gpuPort, secret);
  const edgeHost = env.REFSEG_EDGE_HOST || '127.0.0.1';
  const edgePort = portSetting('REFSEG_EDGE_PORT', DEFAULT_EDGE_PORT);
  await assertPortFree(gpuPort, '127.0.0.1', 'REFSEG_GPU_PORT');
  await assertPortFree(edgePort, edgeHost, 'REFSEG_EDGE_PORT');
  const models = await chooseModels(args.standin);
  if (!models) return EXIT_FAILURE;
  const { sam2Dir, dinoPath } = models;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // One model worker on CPU (as `refseg serve-gpu`), and a full pipeline's worth of requests at once.
  const pipeline = openPipelineThread({ sam2Dir, dinoPath, log });
  const gpu = await serveGpuNode({ pipeline, secret, port: gpuPort, log, limits: { maxConcurrent: imagesInFlight(1) } }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? portInUse(gpuPort, '127.0.0.1', 'REFSEG_GPU_PORT') : err;
  });
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
  const edge = await startEdge(gpu, secret).catch(async (err: NodeJS.ErrnoException) => {
    await gpu.close();
    throw err.code === 'EADDRINUSE' ? portInUse(edgePort, edgeHost, 'REFSEG_EDGE_PORT') : err;
  });
  // The loaded models say whether they are stand-ins (also when REFSEG_SAM2 points at some).
  const standin = (await pipeline).info.standin;
  const samples = standin ? await standinSamples(env) : undefined;
  process.stdout.write(`${welcomeLines({ edgeUrl: edge.url, key: edge.key, standin, samples }).join('\n')}\n`);
  if (edgeConfig.adminKey === undefined) {
    process.stderr.write(
      'refseg: REFSEG_ADMIN_KEY is not set, so the admin routes are off and no further API key can be created; restart with REFSEG_ADMIN_KEY=$(openssl rand -hex 24) to manage keys.\n',
    );
  }

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

/** Any failure as one line; the stack only with REFSEG_DEBUG. */
function report(err: unknown): number {
  if (err instanceof StartError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof RefsegError) process.stderr.write(`refseg: ${err.detail}\n`);
  else process.stderr.write(`refseg: ${err instanceof Error ? err.message : String(err)} (REFSEG_DEBUG=1 shows where)\n`);
  if (process.env.REFSEG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  if (err instanceof StartError) return err.exitCode;
  // A RefsegError of status 400 is a wrong setting (REFSEG_SAM2 path, unknown preset id).
  return err instanceof RefsegError && err.status === 400 ? EXIT_SETTINGS : EXIT_FAILURE;
}

process.exitCode = await main().catch(report);
