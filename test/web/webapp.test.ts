// The whole flow of the web app in real Chromium on stand-in models, served by the Node edge:
// admin key → tenant key → bank → references (box, points, brush) → segment several images →
// re-filter, hover, semantic map → downloads and bank export/import; at desktop and phone sizes.
// The numbers on the page are checked against the API's answers; no console error is allowed.
// Screenshots of every step: out/web-test/node-desktop/, out/web-test/node-phone/.
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser/chromium.ts';
import type { RunningChromium } from '../browser/chromium.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { ADMIN_KEY, startWebStack } from './harness.ts';
import type { WebStack } from './harness.ts';
import { chooseTool, clickImage, clientPoint, createBank, dragBox, openTab, shownDetections, signInWith, unlabelled, waitForJobs, waitForPreview, watch } from './page.ts';
import type { Watch } from './page.ts';

let gpu: StandinGpuNode;
let scenes: TestScenes;
let stack: WebStack;
let chromium: RunningChromium;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
  stack = await startWebStack('node', gpu, { proxy: true });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await stack?.close();
  await gpu?.close();
});

const png = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'image/png', buffer: Buffer.from(bytes) });

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const page = await chromium.context.newPage();
  await page.setViewportSize(viewport);
  return page;
}

async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
}

const fmt = (s: number) => s.toFixed(3);

/** The list shows the API's answer at the page's current thresholds (it redraws on the next frame). */
async function expectListMatches(page: Page, api: { class: string; score: number }[], keep: (d: { class: string; score: number }) => boolean) {
  const expected = api.filter(keep).map((d) => [d.class, fmt(d.score)]);
  await expect.poll(() => shownDetections(page)).toEqual(expected);
}

describe('web app on the Node edge', () => {
  it('desktop: admin key → tenant key → bank → references → segment → downloads', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    const w: Watch = await watch(page, 'node-desktop', [], true);
    page.on('dialog', (d) => void d.accept(d.type() === 'prompt' ? 'crimson' : undefined));

    await page.goto(stack.url);
    await expect(page.title()).resolves.toBe('refseg');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect.poll(() => page.locator('#standin').isVisible()).toBe(true);
    expect(await page.locator('#standin').textContent()).toMatch(/Stand-in models.*mean nothing/);
    await w.shot('sign-in');

    // The admin key makes a tenant key, shown once; the page continues with it.
    await signInWith(page, ADMIN_KEY);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('Label (optional)').fill('web test');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('New API key (shown once)').inputValue();
    expect(secret).toMatch(/^rsk_[0-9a-f]{64}$/);
    await expect.poll(() => page.locator('.list li').first().textContent()).toMatch(/web test/);
    await w.shot('admin-created-key');
    await page.getByRole('button', { name: 'Continue as tenant "acme"' }).click();
    await page.getByRole('heading', { name: 'Banks' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('refseg.apiKey'))).toBe(secret);
    expect(page.url()).not.toContain(secret);

    await createBank(page, 'Shapes', 'red, blue, green');
    await w.shot('bank-created');
    expect(await page.locator('table.classes tbody th').allTextContents()).toEqual(['red', 'blue', 'green']);

    // Reference 1: a box around the red disc, points on the blue rectangle.
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('shapes-ref.png', scenes.reference.bytes)]);
    await page.locator('.editor').waitFor();
    await dragBox(page, [42, 42, 96, 96]);
    const status = await waitForPreview(page);
    expect(status).toMatch(/predicted IoU \d\.\d{3}/);
    await w.shot('preview-box');
    await page.getByRole('button', { name: 'Accept instance' }).click();
    await page.getByLabel('Class', { exact: true }).selectOption('blue');
    await chooseTool(page, 'Point +');
    await clickImage(page, 235, 105);
    await waitForPreview(page);
    await w.shot('preview-points');
    await page.getByRole('button', { name: 'Accept instance' }).click();
    expect(await page.locator('.instances li').allTextContents()).toEqual([expect.stringMatching(/^red · \d+ px/), expect.stringMatching(/^blue · \d+ px/)]);
    await page.getByRole('button', { name: 'Add 2 references to bank' }).click();
    await expect.poll(() => page.locator('.refs li').count(), { timeout: 60_000 }).toBe(2);

    // Reference 2: a red disc, painted with the brush instead of a preview.
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('red-disc.png', scenes.reference2.bytes)]);
    await page.locator('.editor').waitFor({ state: 'visible' });
    await page.getByLabel('Class', { exact: true }).selectOption('red');
    await chooseTool(page, 'Paint');
    await page.getByLabel('Brush size').fill('60');
    for (const y of [85, 100, 115, 130]) {
      const [x0, cy] = await clientPoint(page, '.editor canvas.over', 125, y);
      const [x1] = await clientPoint(page, '.editor canvas.over', 175, y);
      await page.mouse.move(x0, cy);
      await page.mouse.down();
      await page.mouse.move(x1, cy, { steps: 5 });
      await page.mouse.up();
    }
    await page.getByRole('button', { name: 'Accept instance' }).click();
    await page.getByRole('button', { name: 'Add reference to bank' }).click();
    await expect.poll(() => page.locator('.refs li').count(), { timeout: 60_000 }).toBe(3);
    const notes = await page.locator('.refs li .note-summary').allTextContents();
    expect(notes[0]).toMatch(/Agrees with the other "red" examples \(\d+%\)/);
    expect(notes[1]).toMatch(/Only example of "blue" so far/);
    expect(await page.locator('.refs li').first().textContent()).toContain('shapes-ref.png');
    expect(await page.locator('.feedback').textContent()).toMatch(/Added from red-disc\.png/);
    await w.shot('references-with-quality');
    expect(await unlabelled(page)).toEqual([]);

    // Segment two images (a client-side queue, one at a time); the GPU is busy at first.
    await openTab(page, 'Segment');
    stack.busy(1, 2);
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target-1.png', scenes.target.bytes), png('target-2.png', scenes.target2.bytes)]);
    await expect.poll(() => page.locator('.queue .job-state').allTextContents()).toEqual([expect.stringMatching(/^GPU busy: trying again in [12] s$/), 'Queued, position 1']);
    await w.shot('queue-gpu-busy');
    await waitForJobs(page, 2);
    expect(w.segmentRequests).toBe(3);
    await page.locator('.viewer').waitFor();
    expect(w.segments).toHaveLength(2);
    const api = w.segments.find((s) => s.width === 400)!;
    expect(api.detections.length).toBeGreaterThan(0);
    // Default view: score ≥ 0.5, best first, exactly the API's numbers.
    await expectListMatches(page, api.detections, (d) => d.score >= 0.5);
    const kept = api.detections.filter((d) => d.score >= 0.5);
    expect(kept.map((d) => d.class).sort()).toEqual(['blue', 'red', 'red']);
    expect(await page.locator('.viewer .caption').textContent()).toContain(`showing ${kept.length} of ${api.detections.length} detections`);
    await w.shot('result');
    expect(await unlabelled(page)).toEqual([]);

    // Re-filtering happens in the page: no new request.
    const before = w.segmentRequests;
    await page.getByLabel('Minimum score').fill('0');
    await expectListMatches(page, api.detections, () => true);
    await page.getByLabel('Minimum score').fill('0.5');
    await page.locator('details.per-class summary').click();
    await page.locator('input[data-class="red"]').fill('0.999');
    await expectListMatches(page, api.detections, (d) => d.score >= (d.class === 'red' ? 0.999 : 0.5));
    await w.shot('per-class-threshold');
    await page.locator('input[data-class="red"]').fill('');
    expect(w.segmentRequests).toBe(before);

    // Hover: on the list, and on the picture over the first red disc.
    await page.locator('.detections li.det').first().hover();
    await expect.poll(() => page.locator('.detections li.det.hover').count()).toBe(1);
    const redIndex = api.detections.findIndex((d) => d.class === 'red' && d.bbox[0] < 200);
    const [hx, hy] = await clientPoint(page, '.viewer canvas.over', 90, 80);
    await page.mouse.move(hx, hy);
    await expect.poll(() => page.locator('.detections li.det.hover').getAttribute('data-index')).toBe(String(redIndex));
    await w.shot('hover');
    await page.mouse.move(0, 0);

    // Semantic map view.
    await page.getByLabel('Semantic map').check();
    await w.shot('semantic-map');
    await page.getByLabel('Instances').check();

    // Downloads: COCO JSON (the visible detections), instance masks PNG, overlay PNG.
    const coco = await downloadOf(page, () => page.getByRole('button', { name: 'COCO JSON', exact: true }).click());
    expect(coco.name).toBe('target-1.coco.json');
    const file = JSON.parse(coco.bytes.toString('utf8'));
    expect(file.categories).toEqual([{ id: 1, name: 'red' }, { id: 2, name: 'blue' }, { id: 3, name: 'green' }]);
    expect(file.annotations.map((a: { score: number; category_id: number }) => [a.category_id, a.score])).toEqual(kept.map((d) => [d.label + 1, d.score]));
    expect(file.annotations[0].segmentation).toEqual(kept[0].mask);
    const overlay = await downloadOf(page, () => page.getByRole('button', { name: 'Overlay PNG' }).click());
    const meta = await sharp(overlay.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 300]);
    const masks = await downloadOf(page, () => page.getByRole('button', { name: 'Instance masks PNG' }).click());
    const { data, info } = await sharp(masks.bytes).raw().toBuffer({ resolveWithObject: true });
    const values = new Set<number>();
    for (let i = 0; i < data.length; i += info.channels) values.add(data[i]);
    expect([...values].sort()).toEqual([0, ...kept.map((_, i) => i + 1)]);
    const all = await downloadOf(page, () => page.getByRole('button', { name: 'COCO JSON of all images' }).click());
    expect(JSON.parse(all.bytes.toString('utf8')).images.map((i: { file_name: string }) => i.file_name)).toEqual(['target-1.png', 'target-2.png']);

    // Quality feedback names the reference that causes it: a red disc given as "blue" is an
    // outlier of blue; a negative of red is said to be one. Deleting the wrong one clears it.
    await openTab(page, 'References');
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('mislabelled.png', scenes.target2.bytes)]);
    await page.getByLabel('Class', { exact: true }).selectOption('blue');
    await chooseTool(page, 'Box');
    await dragBox(page, [205, 115, 110, 110]);
    await waitForPreview(page);
    await page.getByRole('button', { name: 'Accept instance' }).click();
    await page.getByLabel('Class', { exact: true }).selectOption('red');
    await page.getByLabel('Negative example').check();
    await dragBox(page, [35, 35, 120, 90]);
    await waitForPreview(page);
    await page.getByRole('button', { name: 'Accept instance' }).click();
    expect(await page.locator('.instances li').allTextContents()).toEqual([expect.stringMatching(/^blue · /), expect.stringMatching(/^red \(negative\) · /)]);
    await page.getByRole('button', { name: 'Add 2 references to bank' }).click();
    await expect.poll(() => page.locator('.refs li').count(), { timeout: 60_000 }).toBe(5);
    const wrong = page.locator('.refs li').nth(3);
    // With two examples of blue, neither can be blamed alone: the note names both.
    expect(await wrong.locator('.note-summary').textContent()).toBe('Warning: Disagrees with the other "blue" example.');
    await wrong.locator('summary').click();
    expect(await wrong.locator('.note-detail').textContent()).toMatch(
      /^Reference 4 \(mask on mislabelled\.png\) and Reference 2 \(mask on shapes-ref\.png\) are the only examples of "blue" and look unlike each other \(-?\d+%\)\./,
    );
    expect(await page.locator('.refs li').nth(4).locator('.note-summary').textContent()).toBe('Negative example of "red".');
    expect(await page.locator('table.classes tbody tr').nth(1).textContent()).toMatch(/outlier/);
    await w.shot('quality-warning');
    await page.getByRole('button', { name: 'Delete Reference 4 (mask on mislabelled.png)' }).click();
    await expect.poll(() => page.locator('.refs li').count()).toBe(4);
    expect(await page.locator('.refs .tone-warn').count()).toBe(0);

    // Bank file: export, import as a new bank, rename a class there.
    const exported = await downloadOf(page, () => page.getByRole('button', { name: /^Export bank Shapes/ }).click());
    const bankFile = JSON.parse(exported.bytes.toString('utf8'));
    expect(bankFile.format).toBe('refseg.bank');
    await page.locator('details.more summary').click();
    await page.getByLabel('Bank file', { exact: true }).setInputFiles({ name: exported.name, mimeType: 'application/json', buffer: exported.bytes });
    await page.getByRole('button', { name: 'Import bank' }).click();
    await expect.poll(() => page.locator('.banks li').count()).toBe(2);
    await page.getByRole('button', { name: 'Rename class red' }).click();
    await expect.poll(() => page.locator('table.classes tbody th').allTextContents()).toEqual(['crimson', 'blue', 'green']);
    await w.shot('imported-and-renamed');
    await page.locator('.banks li.current').getByRole('button', { name: /^Delete bank Shapes \(bank_/ }).click();
    await expect.poll(() => page.locator('.banks li').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Start here' }).isVisible()).toBe(true);

    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('phone (390×844): tenant key → bank → reference → segment', async () => {
    const res = await fetch(`${stack.edgeUrl}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'phone' }) });
    const { secret } = (await res.json()) as { secret: string };
    const page = await newPage({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    const w = await watch(page, 'node-phone');
    await page.goto(stack.url);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(16, 20, 27)');
    await w.shot('sign-in');
    await signInWith(page, secret);
    await page.getByRole('heading', { name: 'Banks' }).waitFor();
    await createBank(page, 'Phone shapes', 'red, blue');
    // No horizontal scrolling at phone width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The camera input is there for phones.
    expect(await page.locator('input[capture=environment]').count()).toBe(1);
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('ref.png', scenes.reference.bytes)]);
    await dragBox(page, [42, 42, 96, 96]);
    await waitForPreview(page);
    await w.shot('preview');
    await page.getByRole('button', { name: 'Accept instance' }).click();
    // The second instance by keyboard only: class, box by numbers, preview, accept, store.
    await page.getByLabel('Class', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Class', { exact: true }).inputValue()).toBe('blue');
    await page.getByLabel('Box x (pixels)').focus();
    for (const v of ['175', '55', '120', '100']) {
      await page.keyboard.type(v);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await waitForPreview(page);
    await page.getByRole('button', { name: 'Accept instance' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Add 2 references to bank' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.refs li').count(), { timeout: 60_000 }).toBe(2);
    await w.shot('references');
    // Tabs follow the ARIA pattern: arrow keys move between them.
    await page.getByRole('tab', { name: /^References/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Segment' }).getAttribute('aria-selected')).toBe('true');
    // Dropped files (as from a file manager); the first, a large photo, is cancelled while it runs.
    const dropped = await page.evaluateHandle(
      ([big, small]) => {
        const dt = new DataTransfer();
        const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes(big)], 'large.png', { type: 'image/png' }));
        dt.items.add(new File([bytes(small)], 'target.png', { type: 'image/png' }));
        return dt;
      },
      [Buffer.from(scenes.large).toString('base64'), Buffer.from(scenes.target.bytes).toString('base64')] as const,
    );
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await expect.poll(() => page.locator('.queue .job-state').allTextContents()).toEqual(['Segmenting…', 'Queued, position 1']);
    await page.getByRole('button', { name: 'Cancel large.png' }).click();
    await waitForJobs(page, 1);
    expect(await page.locator('.queue .job-state').allTextContents()).toEqual(['Cancelled', expect.stringMatching(/^Done: \d+ detections/)]);
    await page.locator('.viewer').waitFor();
    const api = w.segments[0];
    await expectListMatches(page, api.detections, (d) => d.score >= 0.5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('.viewer').scrollIntoViewIfNeeded();
    await w.shot('result');
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it('an EXIF-rotated photo is shown upright and the preview mask lands where the box was drawn', async () => {
    const res = await fetch(`${stack.edgeUrl}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'exif' }) });
    const { secret } = (await res.json()) as { secret: string };
    // Stored 320×240 with the red disc at (90, 90); orientation 6 shows it 240×320, the disc at (149, 90).
    const rotated = await sharp(scenes.reference.bytes).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const page = await newPage({ width: 1280, height: 900 });
    const w = await watch(page, 'node-exif');
    await page.goto(stack.url);
    await signInWith(page, secret);
    await createBank(page, 'Rotated', 'red');
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([{ name: 'phone-photo.jpg', mimeType: 'image/jpeg', buffer: rotated }]);
    await page.locator('.editor').waitFor();
    expect(await page.locator('.editor canvas.base').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([240, 320]);
    await dragBox(page, [104, 45, 90, 90]);
    const status = await waitForPreview(page);
    const px = Number(/, (\d+) px\./.exec(status)![1]);
    // The disc's area is π·45² ≈ 6362 px; the grey around it would give a very different mask.
    expect(px).toBeGreaterThan(5600);
    expect(px).toBeLessThan(7200);
    await w.shot('rotated-preview');
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
