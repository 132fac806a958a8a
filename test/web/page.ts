// Driving the web app as a person does (playwright-core on Debian's Chromium): helpers for the
// steps of the flow, screenshots of each step, and the watchers every test needs (console
// errors, the API's segment answers to compare the page's numbers with).
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page, Response as PwResponse } from 'playwright-core';
import { expect } from 'vitest';
import type { SegmentResponse } from '../../shared/client/index.ts';

export const OUT = resolve(import.meta.dirname, '../../out/web-test');

export interface Watch {
  errors: string[];
  segments: SegmentResponse[];
  /** Requests to /segment made so far (to prove re-filtering asks nothing). */
  segmentRequests: number;
  shot(name: string): Promise<void>;
}

/** allowMissing: paths whose 404 the page meets on purpose; allowBusy: let 503s of /segment through (the test made them). */
export async function watch(page: Page, folder: string, allowMissing: readonly string[] = [], allowBusy = false): Promise<Watch> {
  const dir = join(OUT, folder);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let step = 0;
  const w: Watch = {
    errors: [],
    segments: [],
    segmentRequests: 0,
    async shot(name) {
      step++;
      await page.screenshot({ path: join(dir, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
    },
  };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    // A route the edge under test does not have yet (and the page copes without) 404s on purpose.
    if (allowMissing.some((p) => url.endsWith(p))) return;
    if (allowBusy && /\/segment$/.test(url) && m.text().includes('status of 503')) return;
    w.errors.push(`${m.text()} @ ${url}`);
  });
  page.on('pageerror', (e) => w.errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/v1\/banks\/[^/]+\/segment$/.test(new URL(r.url()).pathname)) w.segmentRequests++;
  });
  page.on('response', (r: PwResponse) => {
    if (r.request().method() === 'POST' && /\/segment$/.test(new URL(r.url()).pathname) && r.ok()) {
      void r.json().then((j: SegmentResponse) => w.segments.push(j));
    }
  });
  return w;
}

export async function signInWith(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function createBank(page: Page, name: string, classes: string): Promise<void> {
  const details = page.locator('details.more');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Classes').fill(classes);
  await page.getByRole('button', { name: 'Create bank' }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

/** Client coordinates of an image pixel on a canvas shown scaled. */
export async function clientPoint(page: Page, selector: string, x: number, y: number): Promise<[number, number]> {
  return page.locator(selector).evaluate(
    (el, [px, py]) => {
      const c = el as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      return [r.left + ((px + 0.5) / c.width) * r.width, r.top + ((py + 0.5) / c.height) * r.height] as [number, number];
    },
    [x, y] as const,
  );
}

const EDITOR_CANVAS = '.editor canvas.over';

export async function dragBox(page: Page, box: [number, number, number, number]): Promise<void> {
  await page.locator(EDITOR_CANVAS).scrollIntoViewIfNeeded();
  const [x0, y0] = await clientPoint(page, EDITOR_CANVAS, box[0], box[1]);
  const [x1, y1] = await clientPoint(page, EDITOR_CANVAS, box[0] + box[2], box[1] + box[3]);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 4 });
  await page.mouse.move(x1, y1, { steps: 4 });
  await page.mouse.up();
}

export async function clickImage(page: Page, x: number, y: number): Promise<void> {
  await page.locator(EDITOR_CANVAS).scrollIntoViewIfNeeded();
  const [cx, cy] = await clientPoint(page, EDITOR_CANVAS, x, y);
  await page.mouse.click(cx, cy);
}

export async function waitForPreview(page: Page): Promise<string> {
  const status = page.locator('.editor .status-line');
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/Mask preview: predicted IoU/);
  return (await status.textContent()) ?? '';
}

export async function chooseTool(page: Page, name: string): Promise<void> {
  await page.locator('.editor fieldset.tools').getByLabel(name, { exact: true }).check();
}

export async function openTab(page: Page, name: 'References' | 'Segment'): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
}

/** The detection list as the page shows it: [class, score text]. */
export async function shownDetections(page: Page): Promise<[string, string][]> {
  return page.locator('.detections li.det').evaluateAll((lis) =>
    lis.map((li) => [li.querySelector('.det-class')!.textContent!, li.querySelector('.det-score')!.textContent!] as [string, string]),
  );
}

export async function waitForJobs(page: Page, count: number): Promise<void> {
  await expect.poll(() => page.locator('.queue li.state-done').count(), { timeout: 120_000 }).toBe(count);
}

/** Form controls and buttons with no accessible name (label, aria-label, aria-labelledby or text). */
export async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input, select, textarea, button, [role=tab]')]
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const named = (labels && labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent!.trim());
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
