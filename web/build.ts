// Builds the web app into one importable module, web/dist/assets.js, that the edge serves on
// every runtime (edge/routes/web.ts): Workers have no file system, so the page, its script, its
// style sheet and its icon travel inside the edge's own bundle. Asset names carry a content hash
// (served as immutable); the HTML references them relatively, so the edge may sit under a path.
// The on-device mode is fetched only on the first switch to "on this device": its code
// (web/src/device/run.ts: engine, local matching, zod) is a bundle of its own whose hashed name is
// compiled into the page's script (esbuild's code splitting would move every module both import,
// zod included, into a chunk the page loads at start), and the model workers
// (web/device/worker.ts, with onnxruntime-web) are assets of their own that the engine starts.
//   npx tsx web/build.ts          (npm run build:web; prestart, pretest and wrangler's [build] run it)
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { BuildOptions, Plugin } from 'esbuild';

const WEB = resolve(import.meta.dirname);
export const ASSETS_MODULE = join(WEB, 'dist', 'assets.js');

export interface WebAsset {
  type: string;
  body: string;
}

export interface BuiltPage {
  html: string;
  /** Path under the page's folder (`assets/app-<hash>.js`) → asset. */
  assets: Record<string, WebAsset>;
  /** Bytes of each asset, raw and gzipped, and when the page fetches it, for the size report. */
  sizes: { path: string; bytes: number; gzip: number; load: AssetLoad }[];
}

/** `page`: with the page; `switch`: on the first switch to "on this device"; `engine`: when the engine opens (one worker of the two). */
export type AssetLoad = 'page' | 'switch' | 'engine';

const LOAD_WORDS: Record<AssetLoad, string> = { page: 'with the page', switch: 'on the first switch to "on this device"', engine: 'when the on-device engine opens (wasm or webgpu)' };

export interface BuildPageOptions {
  /** A module to bundle in place of web/src/device/engine.ts (the browser tests' fake engine). */
  deviceEngine?: string;
}

/** Resolves the on-device code's `./engine.ts` to another module. */
const engineInstead = (path: string): Plugin => ({
  name: 'device-engine',
  setup(b) {
    b.onResolve({ filter: /^\.\/engine\.ts$/ }, (args) => (args.importer.startsWith(join(WEB, 'src', 'device')) ? { path } : undefined));
  },
});

/**
 * zod's `locales` namespace (error messages in 40 languages, 264 KB minified) stays in a bundle
 * once `z` is used as an object; refseg never picks a locale, and zod registers English from
 * its own import of locales/en.js, so the namespace is replaced by an empty one.
 */
const zodWithoutLocales: Plugin = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[/\\]zod[/\\]/.test(args.importer) ? { path: 'zod-locales', namespace: 'refseg-empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'refseg-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const COMMON = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, write: false, legalComments: 'none', logLevel: 'silent' } as const satisfies BuildOptions;

const hashed = (stem: string, ext: string, body: string) => `assets/${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 10)}.${ext}`;

/** Which on-device worker asset runs which onnxruntime-web build and needs which WASM binary. */
export const DEVICE_WORKERS = {
  /** WASM only: onnxruntime-web/wasm, ort-wasm-simd-threaded.wasm (14 MB). */
  wasm: { ort: 'onnxruntime-web/wasm', binary: 'ort-wasm-simd-threaded.wasm' },
  /** WebGPU with WASM fallback: onnxruntime-web (JSEP), ort-wasm-simd-threaded.jsep.wasm (28 MB). */
  webgpu: { ort: 'onnxruntime-web', binary: 'ort-wasm-simd-threaded.jsep.wasm' },
} as const;
export type DeviceWorkerKind = keyof typeof DEVICE_WORKERS;

/** What the page's engine learns at build time (engine.ts declares it). */
export interface DeviceBuildInfo {
  /** Worker asset file names, beside the page's scripts. */
  workers: Record<DeviceWorkerKind, string>;
  /** WASM binary per worker. */
  binaries: Record<DeviceWorkerKind, string>;
  ortVersion: string;
}

/**
 * The browser build of the gpu-node model code: the node runtime module is replaced by one that
 * refuses, node: modules may only be imported lazily (by path-reading helpers the worker never
 * calls) and stay out of the bundle; a static node: import is a build error.
 */
const browserModels: Plugin = {
  name: 'refseg-browser-models',
  setup(b) {
    b.onResolve({ filter: /\/ort-node\.ts$/ }, () => ({ path: 'ort-node', namespace: 'refseg-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'refseg-stub' }, () => ({
      contents: "export function openSession() { throw new Error('onnxruntime-node does not run in a browser; use the web runtime'); }",
      loader: 'js',
    }));
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: args.path, external: true }
        : { errors: [{ text: `${args.path} imported statically by ${args.importer}: browser code must not load node: modules` }] },
    );
  },
};

export interface BuiltWorker {
  name: string;
  body: string;
}

/** The on-device model workers (web/device/worker.ts), one per onnxruntime-web build. */
export async function buildDeviceWorkers(): Promise<Record<DeviceWorkerKind, BuiltWorker>> {
  const one = async (kind: DeviceWorkerKind): Promise<BuiltWorker> => {
    const result = await build({
      entryPoints: [join(WEB, 'device', 'worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
      alias: { 'onnxruntime-web': DEVICE_WORKERS[kind].ort },
      plugins: [browserModels],
    });
    const body = result.outputFiles[0].text;
    return { name: hashed(`device-worker-${kind}`, 'js', body).slice('assets/'.length), body };
  };
  const [wasm, webgpu] = await Promise.all([one('wasm'), one('webgpu')]);
  return { wasm, webgpu };
}

export async function ortWebVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(WEB, '..', 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** esbuild `define` that hands the engine its DeviceBuildInfo. */
export function deviceDefine(workers: Record<DeviceWorkerKind, BuiltWorker>, ortVersion: string): Record<string, string> {
  const info: DeviceBuildInfo = {
    workers: { wasm: workers.wasm.name, webgpu: workers.webgpu.name },
    binaries: { wasm: DEVICE_WORKERS.wasm.binary, webgpu: DEVICE_WORKERS.webgpu.binary },
    ortVersion,
  };
  return { __REFSEG_DEVICE__: JSON.stringify(info) };
}

export async function buildPage(options: BuildPageOptions = {}): Promise<BuiltPage> {
  const [workers, ortVersion] = await Promise.all([buildDeviceWorkers(), ortWebVersion()]);
  const device = await build({
    ...COMMON,
    entryPoints: { device: join(WEB, 'src', 'device', 'run.ts') },
    outdir: 'out',
    define: deviceDefine(workers, ortVersion),
    plugins: [zodWithoutLocales, ...(options.deviceEngine ? [engineInstead(resolve(options.deviceEngine))] : [])],
  });
  const deviceJs = device.outputFiles[0].text;
  const devicePath = hashed('device', 'js', deviceJs);
  const result = await build({
    ...COMMON,
    entryPoints: { app: join(WEB, 'src', 'main.ts'), style: join(WEB, 'src', 'app.css') },
    outdir: 'out',
    // Relative to the page's script, which sits in the same folder.
    define: { REFSEG_DEVICE_CHUNK: JSON.stringify(`./${basename(devicePath)}`) },
  });
  const text = (name: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`/${name}`));
    if (!file) throw new Error(`esbuild produced no ${name}`);
    return file.text;
  };
  const js = text('app.js');
  const css = text('style.css');
  const icon = await readFile(join(WEB, 'icon.svg'), 'utf8');
  const JS = 'text/javascript; charset=utf-8';
  const assets: Record<string, WebAsset> = {
    [hashed('app', 'js', js)]: { type: JS, body: js },
    [hashed('app', 'css', css)]: { type: 'text/css; charset=utf-8', body: css },
    [hashed('icon', 'svg', icon)]: { type: 'image/svg+xml', body: icon },
    [devicePath]: { type: JS, body: deviceJs },
  };
  const [jsPath, cssPath, iconPath] = Object.keys(assets);
  for (const w of Object.values(workers)) assets[`assets/${w.name}`] = { type: JS, body: w.body };
  const html = (await readFile(join(WEB, 'index.html'), 'utf8')).replace('%APP_JS%', jsPath).replace('%APP_CSS%', cssPath).replace('%ICON%', iconPath);
  const loadOf = (path: string): AssetLoad => (path === devicePath ? 'switch' : Object.values(workers).some((w) => path === `assets/${w.name}`) ? 'engine' : 'page');
  const sizes = Object.entries(assets).map(([path, a]) => ({ path, bytes: Buffer.byteLength(a.body), gzip: gzipSync(a.body).length, load: loadOf(path) }));
  return { html, assets, sizes };
}

/** Written through a rename, so a runtime importing it at the same time (tests run in parallel) never reads half a file. */
export async function writeAssetsModule(page: BuiltPage, file = ASSETS_MODULE): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const body =
    '// Generated by web/build.ts (npm run build:web); not committed. Types: assets.d.ts.\n' +
    `export const WEB_PAGE = ${JSON.stringify({ html: page.html, assets: page.assets })};\n`;
  if ((await readFile(file, 'utf8').catch(() => null)) === body) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, file);
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const page = await buildPage();
  await writeAssetsModule(page);
  for (const s of page.sizes) process.stderr.write(`web: ${s.path} ${(s.bytes / 1024).toFixed(1)} KiB (${(s.gzip / 1024).toFixed(1)} KiB gzipped), ${LOAD_WORDS[s.load]}\n`);
}
