// The page on the Deno and workerd edges, served by the edge itself (no proxy, no double): it
// loads under its Content-Security-Policy, signs in, and segments one image against a bank made
// through the API, showing the API's numbers. Screenshots: out/web-test/<runtime>/.
// REFSEG_WEB_RUNTIMES=deno narrows the runtimes while developing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser/chromium.ts';
import type { RunningChromium } from '../browser/chromium.ts';
import { call, referenceForm } from '../edge/harness/client.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import type { RuntimeName } from '../edge/harness/runtimes.ts';
import { ADMIN_KEY, startWebStack } from './harness.ts';
import type { WebStack } from './harness.ts';
import { openTab, shownDetections, signInWith, waitForJobs, watch } from './page.ts';

const chosen = (process.env.REFSEG_WEB_RUNTIMES?.split(',') ?? ['deno', 'workerd']) as RuntimeName[];

let gpu: StandinGpuNode;
let scenes: TestScenes;
let chromium: RunningChromium;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await gpu?.close();
});

for (const runtime of chosen) {
  describe(`web app on the ${runtime} edge`, () => {
    let stack: WebStack;
    beforeAll(async () => {
      stack = await startWebStack(runtime, gpu, { doubles: false });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('serves the page and its assets with the headers a strict CSP needs', async () => {
      const res = await fetch(stack.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).not.toMatch(/<script>|<style>| on\w+="|https?:\/\//);
      const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]);
      expect(assets).toHaveLength(3);
      for (const path of assets) {
        const a = await fetch(stack.url + path);
        expect(a.status).toBe(200);
        expect(a.headers.get('cache-control')).toContain('immutable');
        await a.body?.cancel();
      }
      expect((await fetch(`${stack.url}assets/app-0000000000.js`)).status).toBe(404);
    });

    it('loads, signs in and segments one image with the API\'s numbers', async () => {
      const created = await call(stack.edgeUrl, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant: `web-${runtime}` } });
      const key = created.body.secret as string;
      const bank = await call(stack.edgeUrl, 'POST', '/v1/banks', { token: key, json: { name: `Shapes on ${runtime}`, classes: ['red', 'blue'] } });
      const refs = await call(stack.edgeUrl, 'POST', `/v1/banks/${bank.body.id}/references`, {
        token: key,
        form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'red', mask: scenes.reference.masks[0] }, { className: 'blue', mask: scenes.reference.masks[1] }] }]),
      });
      expect(refs.status).toBe(201);

      const page = await chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const w = await watch(page, runtime, stack.missing);
      await page.goto(stack.url);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await w.shot('loaded');
      await signInWith(page, key);
      await page.getByRole('button', { name: new RegExp(`^Shapes on ${runtime}`) }).click();
      await openTab(page, 'Segment');
      await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([{ name: 'target.png', mimeType: 'image/png', buffer: Buffer.from(scenes.target.bytes) }]);
      await waitForJobs(page, 1);
      await page.locator('.viewer').waitFor();
      const api = w.segments[0];
      const expected = api.detections.filter((d) => d.score >= 0.5).map((d) => [d.class, d.score.toFixed(3)]);
      expect(expected.map(([c]) => c).sort()).toEqual(['blue', 'red', 'red']);
      expect(await shownDetections(page)).toEqual(expected);
      await w.shot('segmented');
      expect(w.errors).toEqual([]);
      await page.close();
    });
  });
}
