// Bundles a module the way a browser app would ship it: ESM, browser platform, no Node
// polyfills. A `node:` import (or any Node built-in) cannot be resolved there, so it fails the
// build instead of slipping through.
import { build } from 'esbuild';

export interface BrowserBundle {
  code: string;
  /** Source files (repo-relative) that contributed code to the bundle, with their byte count. */
  contributions: Record<string, number>;
}

/** `define`: esbuild defines (a build-time constant the module declares). */
export async function bundleForBrowser(entry: string, define: Record<string, string> = {}): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'bundle.js',
    define,
  });
  const [output] = Object.values(result.metafile.outputs);
  const contributions: Record<string, number> = {};
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) contributions[file] = bytesInOutput;
  return { code: result.outputFiles[0].text, contributions };
}
