// Holds a pipeline slot for the whole request (see ../admission.ts).
import { createMiddleware } from 'hono/factory';
import type { Admission } from '../admission.ts';
import type { NodeEnv } from '../env.ts';

export function admit(admission: Admission) {
  return createMiddleware<NodeEnv>(async (_c, next) => {
    const release = await admission.acquire();
    try {
      await next();
    } finally {
      release();
    }
  });
}
