// GET /v1/info: what this refseg answers with — the model of its gpu-nodes, whether they are the
// project's stand-in models (a page must say so: their results mean nothing on real photos), and
// the limits a client checks before uploading. Public: it names no tenant's data.
import { MAX_PROMPT_POINTS } from '../../shared/api/gpu-node.ts';
import { ServiceInfoSchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import type { Router } from './router.ts';

export function infoRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'get',
      path: '/v1/info',
      operationId: 'info',
      summary: 'The model in use, whether it is a stand-in, and upload limits.',
      tag: 'Operations',
      access: 'public',
      responses: { 200: { description: 'Service info.', schema: ServiceInfoSchema } },
      problems: [503],
    },
    async (c) => {
      const info = await s.model();
      const pixels = Math.min(s.config.maxPixels, info.limits.maxPixels);
      const bytes = Math.min(s.config.maxBodyBytes, info.limits.maxBodyBytes);
      return c.json({
        modelId: info.modelId,
        standin: info.standin,
        limits: { maxBodyBytes: bytes, maxPixels: pixels, maxPromptPoints: MAX_PROMPT_POINTS },
      });
    },
  );
}
