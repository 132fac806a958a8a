// Headless Debian Chromium driven by playwright-core (no browser download: CI installs the
// distribution package with scripts/ensure-chromium.sh). Each launch gets a fresh profile.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Throws (never skips) when Chromium is not installed: a missing browser must fail the run. */
export async function launchChromium(): Promise<RunningChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install it with scripts/ensure-chromium.sh (Debian package "chromium") before running the browser tests.`);
  }
  // Playwright refuses --user-data-dir in args; a persistent context is how a fresh profile is given.
  const profile = await mkdtemp(join(tmpdir(), 'refseg-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}
