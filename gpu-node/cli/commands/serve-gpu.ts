// `refseg serve-gpu`: the gpu-node's internal HTTP API on a port. The port opens at once and
// answers /healthz; the models load behind it (/readyz turns 200 when they are in).
import { randomBytes } from 'node:crypto';
import { imagesInFlight } from '../../pipeline/scheduler.ts';
import { defaultWorkers } from '../../pipeline/scheduler-threads.ts';
import { defineCommand, intOption, UsageError } from '../command.ts';
import { MODEL_OPTIONS, openPipelineFrom } from './model-options.ts';

export const SECRET_ENV = 'REFSEG_GPU_SECRET';

export const serveGpu = defineCommand({
  name: 'serve-gpu',
  summary: 'Serve the gpu-node HTTP API (candidates, reference vectors, segment)',
  description:
    `Starts the internal API the edge calls. Every /v1 route and /metrics need "Authorization: Bearer <secret>": --secret, else $${SECRET_ENV}; ` +
    'with neither, a random secret is made and printed. Stops on Ctrl-C, finishing the requests in flight.',
  options: {
    port: { type: 'string', valueName: 'n', default: '8700', description: 'TCP port (0: any free port)' },
    host: { type: 'string', valueName: 'addr', default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 for all)' },
    secret: { type: 'string', valueName: 'token', description: `Shared secret of the edge (default $${SECRET_ENV})` },
    workers: {
      type: 'string',
      valueName: 'n',
      description:
        'Model worker threads (default: 2 with --provider cuda, one image in the encoder and DINOv2 while another is in the decoder; 1 on CPU, where one session uses every core)',
    },
    'max-queued': { type: 'string', valueName: 'n', default: '8', description: 'Requests that may wait beyond those in the pipeline before 503' },
    'max-body-mb': { type: 'string', valueName: 'n', default: '32', description: 'Largest request body in MB' },
    'max-pixels': { type: 'string', valueName: 'n', default: '40000000', description: 'Largest image in pixels' },
    ...MODEL_OPTIONS,
  },
  examples: ['refseg serve-gpu --port 8700 --secret "$(cat /run/secrets/gpu)"', 'refseg serve-gpu --sam2 sam2.1-hiera-small --dinov2 dinov2-base --host 0.0.0.0'],
  async run(ctx) {
    const v = ctx.values;
    const port = intOption(v.port, '--port', 0)!;
    if (port > 65535) throw new UsageError('--port must be at most 65535.');
    const workers = intOption(v.workers, '--workers', 1) ?? defaultWorkers(v.provider ?? 'cpu');
    // Requests run at once: enough images to fill every lane of the scheduler (pipeline/scheduler.ts).
    const maxConcurrent = imagesInFlight(workers);
    const maxQueued = intOption(v['max-queued'], '--max-queued', 0)!;
    const maxBodyBytes = intOption(v['max-body-mb'], '--max-body-mb', 1)! * 1_000_000;
    const maxPixels = intOption(v['max-pixels'], '--max-pixels', 1)!;
    let secret = v.secret ?? ctx.env[SECRET_ENV];
    if (!secret) {
      secret = randomBytes(24).toString('base64url');
      ctx.stderr.write(`No --secret or $${SECRET_ENV}: using the generated secret ${secret}\n`);
    }

    const { serveGpuNode } = await import('../../http/server.ts');
    const log = (line: string) => ctx.stderr.write(`${line}\n`);
    const pipeline = openPipelineFrom(v, { env: ctx.env, workers, maxQueue: maxQueued, log, thread: true });
    const node = await serveGpuNode({
      pipeline,
      secret,
      port,
      hostname: v.host,
      limits: { maxBodyBytes, maxPixels, maxConcurrent, maxQueued },
      log,
    });
    ctx.stdout.write(`gpu-node listening on ${node.url} (models loading…)\n`);
    const loaded = pipeline.then(
      (p) => {
        ctx.stdout.write(`gpu-node ready: ${p.modelId}\n`);
        return true;
      },
      (err) => {
        ctx.stderr.write(`refseg serve-gpu: the models did not load: ${err instanceof Error ? err.message : String(err)}\n`);
        return false;
      },
    );
    // Serve until Ctrl-C; a node whose models cannot load exits (non-zero) so a supervisor notices.
    const stopped = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const failed = loaded.then((ok) => (ok ? new Promise<never>(() => {}) : undefined));
    await Promise.race([stopped, failed]);
    await node.close();
    await pipeline.then((p) => p.close(), () => undefined);
    return (await loaded) ? 0 : 1;
  },
});
