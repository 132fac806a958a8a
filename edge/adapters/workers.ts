// Cloudflare Workers: Workers KV for banks and keys, R2 for cached candidate sets and images
// (bindings in wrangler.toml), configuration from vars and secrets. One app per isolate; a
// Worker has no timers between requests, so gpu-node health is checked lazily by requests.
import { InternalError, RefsegError, toProblem } from '../../shared/errors.ts';
import { createEdgeApp } from '../app.ts';
import type { EdgeApp } from '../app.ts';
import { configFromEnv } from '../config.ts';
import { gpuPoolFromConfig } from '../gpu/from-config.ts';
import { createWorkersStorage } from '../storage/workers.ts';
import type { WorkersKvNamespace, WorkersR2Bucket } from '../storage/workers.ts';

export interface WorkersEnv {
  REFSEG_KV: WorkersKvNamespace;
  REFSEG_R2: WorkersR2Bucket;
  [variable: string]: unknown;
}

let edge: EdgeApp | null = null;

function edgeFor(env: WorkersEnv): EdgeApp {
  if (edge) return edge;
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = configFromEnv(vars);
  edge = createEdgeApp({ storage: createWorkersStorage({ kv: env.REFSEG_KV, r2: env.REFSEG_R2 }), gpu: gpuPoolFromConfig(config), config });
  return edge;
}

export default {
  fetch(request: Request, env: WorkersEnv): Response | Promise<Response> {
    let app: EdgeApp['app'];
    try {
      app = edgeFor(env).app;
    } catch (err) {
      // A bad variable or binding: the operator reads the log, the client gets a plain 500.
      console.error('refseg edge cannot start:', err instanceof RefsegError ? err.detail : err);
      const requestId = crypto.randomUUID();
      const problem = toProblem(new InternalError('The edge is misconfigured.'), requestId);
      return new Response(JSON.stringify(problem.body), { status: problem.status, headers: problem.headers });
    }
    return app.fetch(request);
  },
};
