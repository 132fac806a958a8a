// Cloudflare Workers: banks in one Durable Object per bank (serialised, strongly consistent
// writes: edge/storage/durable-banks.ts), API keys in Workers KV, cached candidate sets and
// images in R2 (bindings in wrangler.toml), configuration from vars and secrets. One app per
// isolate; a Worker has no timers between requests, so gpu-node health is checked lazily.
import { InternalError, RefsegError, toProblem } from '../../shared/errors.ts';
import { createEdgeApp } from '../app.ts';
import type { EdgeApp } from '../app.ts';
import { configFromEnv } from '../config.ts';
import { gpuPoolFromConfig } from '../gpu/from-config.ts';
import { createDurableBankStorage } from '../storage/durable-banks.ts';
import type { BankObjectNamespace } from '../storage/durable-banks.ts';
import type { WorkersKvNamespace, WorkersR2Bucket } from '../storage/workers.ts';

// workerd finds the Durable Object class among the main module's exports (wrangler.toml names it).
export { RefsegBankObject } from '../storage/bank-object.workers.ts';

export interface WorkersEnv {
  REFSEG_KV: WorkersKvNamespace;
  REFSEG_R2: WorkersR2Bucket;
  REFSEG_BANKS: BankObjectNamespace;
  [variable: string]: unknown;
}

let edge: EdgeApp | null = null;

function edgeFor(env: WorkersEnv): EdgeApp {
  if (edge) return edge;
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = configFromEnv(vars);
  // Without it, bank writes would fall back to Workers KV, where concurrent additions are lost.
  if (!env.REFSEG_BANKS) throw new InternalError('The Durable Object binding REFSEG_BANKS (class RefsegBankObject) is missing: see wrangler.toml.');
  const storage = createDurableBankStorage({ kv: env.REFSEG_KV, r2: env.REFSEG_R2, banks: env.REFSEG_BANKS });
  edge = createEdgeApp({ storage, gpu: gpuPoolFromConfig(config), config });
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
