// The module Chromium loads: what the page can run, published on globalThis for page.evaluate.
import { runClientScenario } from './client-scenario.ts';
import { runSharedChecks } from './shared-checks.ts';

export const browserApi = { runSharedChecks, runClientScenario };
export type BrowserApi = typeof browserApi;

(globalThis as { refseg?: BrowserApi }).refseg = browserApi;
