// The web app (web/): the page at `/` and its hashed assets under `/assets/`, from the module
// web/build.ts generates, so it reaches Workers inside the edge's bundle. An edge started without
// that build still serves the API; the page then says how to build it.
import { z } from 'zod';
import { NotFoundError } from '../../shared/errors.ts';
import type { WebAsset } from '../../web/dist/assets.js';
import type { Router } from './router.ts';

type Page = { html: string; assets: Record<string, WebAsset> } | null;

/**
 * No inline script or style, nothing from another origin: the page works under this policy. The
 * on-device engine may fetch its files from configured origins (REFSEG_DEVICE_MODELS_URL,
 * REFSEG_DEVICE_WASM_URL). Its worker compiles WASM under its own policy (the worker asset's
 * response has none), so the page's needs no 'wasm-unsafe-eval'.
 */
export function webCsp(device: { modelsUrl?: string | undefined; wasmUrl?: string | undefined } = {}): string {
  const origins = [...new Set([device.modelsUrl, device.wasmUrl].flatMap((u) => (u ? [new URL(u).origin] : [])))];
  return (
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; ` +
    `connect-src ${["'self'", ...origins].join(' ')}; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`
  );
}


/**
 * Cross-origin isolation, so the on-device engine gets SharedArrayBuffer and WASM threads: the page
 * opens no cross-origin window and embeds nothing that did not opt in (its own assets say so; the
 * engine's configured origins answer fetch with CORS, docs/operations.md). The worker script gets
 * the embedder policy too, or Chromium refuses it inside an isolated page.
 */
const ISOLATED_PAGE = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } as const;
const ISOLATED_ASSET = { 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' } as const;

const NOT_BUILT =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>refseg</title></head><body>' +
  '<h1>The refseg web app is not built</h1><p>Run <code>npm run build:web</code> and start the edge again. The API works meanwhile.</p></body></html>';

let page: Promise<Page> | null = null;
const loadPage = (): Promise<Page> =>
  (page ??= import('../../web/dist/assets.js').then(
    (m) => m.WEB_PAGE,
    () => null,
  ));

const AssetParamsSchema = z.strictObject({ file: z.string().max(100).describe('Hashed asset name.') });

export function webRoutes(router: Router, device: Parameters<typeof webCsp>[0] = {}): void {
  const csp = webCsp(device);
  router.add(
    {
      method: 'get',
      path: '/',
      operationId: 'webApp',
      summary: 'The web app: build a bank and segment images in the browser.',
      tag: 'Web app',
      access: 'public',
      responses: { 200: { description: 'The page.', contentType: 'text/html' }, 503: { description: 'The page is not built.', contentType: 'text/html' } },
    },
    async (c) => {
      const built = await loadPage();
      c.header('Content-Security-Policy', csp);
      c.header('Cache-Control', 'no-cache');
      c.header('X-Content-Type-Options', 'nosniff');
      c.header('Referrer-Policy', 'no-referrer');
      for (const [name, value] of Object.entries(ISOLATED_PAGE)) c.header(name, value);
      return built ? c.html(built.html) : c.html(NOT_BUILT, 503);
    },
  );
  router.add(
    {
      method: 'get',
      path: '/assets/:file',
      operationId: 'webAsset',
      summary: 'A script, style sheet or icon of the web app (content-hashed name, immutable).',
      tag: 'Web app',
      access: 'public',
      params: AssetParamsSchema,
      responses: { 200: { description: 'The asset.', contentType: 'application/octet-stream' } },
      problems: [404],
    },
    async (c) => {
      const name = `assets/${c.req.param('file')}`;
      const asset = (await loadPage())?.assets[name];
      if (!asset) throw new NotFoundError('asset', name);
      return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff', ...ISOLATED_ASSET });
    },
  );
}
