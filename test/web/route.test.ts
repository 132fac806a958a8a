// edge/routes/web.ts on the in-process edge app: the page with its security headers, hashed
// assets served immutable, unknown names a 404 problem; the page references only its own assets.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import { buildWebOnce } from './harness.ts';

let app: ReturnType<typeof createEdgeApp>['app'];

beforeAll(async () => {
  await buildWebOnce();
  const config = configFromEnv({ REFSEG_GPU_NODES: 'http://127.0.0.1:9', REFSEG_GPU_SECRET: 'secret-0123456789', REFSEG_LOG: 'off' });
  app = createEdgeApp({ storage: createMemoryStorage(), gpu: gpuPoolFromConfig(config), config }).app;
});

const get = (path: string) => app.fetch(new Request(`http://edge.test${path}`));

describe('the web app route', () => {
  it('serves the page with a strict CSP, no-cache and nosniff', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    const csp = res.headers.get('content-security-policy')!;
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // Cross-origin isolated, so the on-device engine gets WASM threads.
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const html = await res.text();
    expect(html).toMatch(/<script type="module" src="assets\/app-[0-9a-f]{10}\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="assets\/app-[0-9a-f]{10}\.css">/);
    expect(html).not.toMatch(/https?:\/\/|<style|style="|<script>/);
  });

  it('serves each asset by its hashed name, immutable, with its type', async () => {
    const html = await (await get('/')).text();
    const paths = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]);
    const types = await Promise.all(
      paths.map(async (p) => {
        const res = await get(`/${p}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
        expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
        const body = await res.text();
        expect(body.length).toBeGreaterThan(100);
        return res.headers.get('content-type');
      }),
    );
    expect(types.sort()).toEqual(['image/svg+xml', 'text/css; charset=utf-8', 'text/javascript; charset=utf-8']);
  });

  it('answers unknown or crafted asset names with a 404 problem', async () => {
    for (const path of ['/assets/app-0000000000.js', '/assets/..%2Fbuild.ts', '/assets/%2e%2e/%2e%2e/package.json', '/assets/']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('leaves the API where it was', async () => {
    const res = await get('/v1/banks');
    expect(res.status).toBe(401);
  });
});
