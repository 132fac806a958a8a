import { readFileSync } from 'node:fs';
import { launchChromium } from '../browser/chromium.ts';

const info = JSON.parse(readFileSync('/tmp/webserve.out', 'utf8'));
const c = await launchChromium();
const page = await c.context.newPage();
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(info.url);
await page.getByLabel('API key').fill(info.tenantKey);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { name: 'Banks' }).waitFor();
await page.getByLabel('Name', { exact: true }).fill('W'); await page.getByLabel('Classes').fill('red, blue'); await page.getByRole('button', { name: 'Create bank' }).click(); await page.getByRole('tab', { name: /^References/ }).waitFor();
await page.waitForTimeout(500);
const wide = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 15).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
console.log(wide.join('\n'));
await c.close();
