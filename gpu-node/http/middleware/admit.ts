// Holds a pipeline slot for the whole request (see ../../pipeline/admission.ts), and runs the request as its
// caller's (../../models/job-context.ts): the client's disconnect signal and the deadline the edge
// sends (X-Refseg-Timeout-Ms) reach the model worker queue, which never starts a job for a caller
// that has gone.
import { createMiddleware } from 'hono/factory';
import { TIMEOUT_HEADER } from '../../../shared/api/gpu-node.ts';
import { runForCaller } from '../../models/job-context.ts';
import type { Caller } from '../../models/job-context.ts';
import type { Admission } from '../../pipeline/admission.ts';
import type { NodeEnv } from '../env.ts';

/** The caller's remaining wait, from the header; absent or malformed: no deadline. */
function deadlineOf(header: string | undefined, receivedAt: number): number | undefined {
  if (header === undefined || !/^\d{1,10}$/.test(header.trim())) return undefined;
  return receivedAt + Number(header.trim());
}

export function admit(admission: Admission) {
  return createMiddleware<NodeEnv>(async (c, next) => {
    const deadline = deadlineOf(c.req.header(TIMEOUT_HEADER), performance.now());
    const caller: Caller = { signal: c.req.raw.signal, ...(deadline === undefined ? {} : { deadline }) };
    const release = await admission.acquire(caller);
    try {
      await runForCaller(caller, next);
    } finally {
      release();
    }
  });
}
