// /openapi.json (built once from every registered route) and /docs (the page that renders it).
import { z } from 'zod';
import { buildOpenApiDocument } from '../openapi/document.ts';
import { DOCS_HTML } from '../openapi/docs-page.ts';
import type { Router } from './router.ts';

export const API_INFO = {
  title: 'refseg',
  version: '1',
  description:
    'Training-free reference-based instance segmentation: show a memory bank a few annotated examples per class, then find every instance ' +
    'of those classes in new images (SAM2 proposals, DINOv2 prototypes, semantic-aware soft merge; "No Time to Train!", arXiv 2507.02798).',
};

/** Register last, so the document lists every route. */
export function docsRoutes(router: Router, publicUrl: string | undefined): void {
  let document: Record<string, unknown> | null = null;
  router.add(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This API as an OpenAPI 3.1 document.',
      tag: 'Operations',
      access: 'public',
      responses: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } },
    },
    (c) => {
      document ??= buildOpenApiDocument(router.routes, API_INFO);
      // The URL clients used to reach this edge (REFSEG_PUBLIC_URL behind a proxy that rewrites it).
      const url = publicUrl ?? new URL(c.req.url).origin;
      return c.json({ ...document, servers: [{ url, description: 'This refseg edge.' }] });
    },
  );
  router.add(
    {
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'Interactive documentation (HTML, self-contained).',
      tag: 'Operations',
      access: 'public',
      responses: { 200: { description: 'The page.', contentType: 'text/html' } },
    },
    (c) => c.html(DOCS_HTML),
  );
}
