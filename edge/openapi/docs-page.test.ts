// /docs in a real browser (headless Chromium): it renders every operation of /openapi.json from
// the page's own inline script, loads nothing from elsewhere, and its try-it form sends requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/browser/chromium.ts';
import type { RunningChromium } from '../../test/browser/chromium.ts';
import { startNodeEdge } from '../adapters/node.ts';
import type { RunningEdge } from '../adapters/node.ts';
import { createMemoryStorage } from '../storage/memory.ts';

const ADMIN = 'admin-0123456789abcdef0123456789abcdef';
let edge: RunningEdge;
let browser: RunningChromium;

beforeAll(async () => {
  // No gpu-node is needed to read the docs or manage keys.
  edge = await startNodeEdge({
    env: { REFSEG_GPU_NODES: 'http://127.0.0.1:9', REFSEG_GPU_SECRET: 's', REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off' },
    port: 0,
    storage: createMemoryStorage(),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await edge?.close();
});

describe('/docs', () => {
  it('lists every operation and sends requests from its try-it forms', async () => {
    const page = await browser.context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(edge.url)) foreign.push(r.url());
    });
    await page.goto(`${edge.url}/docs`);
    await page.waitForSelector('details.op');
    const doc = await (await fetch(`${edge.url}/openapi.json`)).json();
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(await page.locator('details.op').count()).toBe(operations);

    const health = page.locator('details.op', { has: page.locator('.path', { hasText: /^\/healthz$/ }) });
    await health.locator('summary').first().click();
    await health.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => health.locator('form pre').textContent()).toMatch(/^200 OK[\s\S]*"status": "ok"/);

    await page.fill('#token', ADMIN);
    const create = page.locator('details.op', { has: page.locator('.path', { hasText: /^\/v1\/admin\/keys$/ }) }).filter({ has: page.locator('.m.post') });
    await create.locator('summary').first().click();
    await create.locator('textarea').fill('{"tenant": "docs"}');
    await create.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => create.locator('form pre').textContent()).toMatch(/^201 Created[\s\S]*"secret": "rsk_[0-9a-f]{64}"/);
    expect(foreign).toEqual([]);
    await page.close();
  });
});
