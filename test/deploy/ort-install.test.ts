// How onnxruntime-node's CUDA provider gets installed, or not: its own install script run against a
// fake NuGet feed (./fake-nuget.ts), the project's `npm run install:cuda` wrapper, and npm's
// allowScripts policy of package.json that keeps a plain `npm ci` from reaching for NuGet.
// Linux x64 only: that is the one platform onnxruntime-node ships a CUDA provider for.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../processes.ts';
import type { Ran } from '../processes.ts';
import { fakeLibrary, startFakeNuget } from './fake-nuget.ts';
import type { FakeNuget } from './fake-nuget.ts';

// No trailing slash: npm's own variables (npm_config_local_prefix) have none.
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const NODE_MODULES = join(ROOT, 'node_modules');
const ORT = join(NODE_MODULES, 'onnxruntime-node');
const LIBS = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return runProcess(cmd, args, { cwd, env });
}

/**
 * A project folder whose node_modules holds a copy of onnxruntime-node's install scripts (the
 * real ones) and a package.json without its dependencies; those resolve from this project's
 * node_modules through NODE_PATH. Installs land in the copy, never in the real package.
 */
async function scratchProject(allowScripts: Record<string, boolean>): Promise<{ dir: string; ort: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'refseg-ort-install-'));
  const ort = join(dir, 'node_modules', 'onnxruntime-node');
  await cp(join(ORT, 'script'), join(ort, 'script'), { recursive: true });
  const pkg = JSON.parse(await readFile(join(ORT, 'package.json'), 'utf8')) as { version: string; scripts: { postinstall: string } };
  await writeFile(join(ort, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version: pkg.version, scripts: { postinstall: pkg.scripts.postinstall } }));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, dependencies: { 'onnxruntime-node': pkg.version }, allowScripts }),
  );
  return { dir, ort };
}

async function installed(ort: string): Promise<Record<string, string>> {
  const bin = join(ort, 'bin', 'napi-v6', 'linux', 'x64');
  const names = await readdir(bin).catch(() => [] as string[]);
  return Object.fromEntries(await Promise.all(names.sort().map(async (n) => [n, await readFile(join(bin, n), 'utf8')] as const)));
}

const EXPECTED = Object.fromEntries(LIBS.map((n) => [n, new TextDecoder().decode(fakeLibrary(n))]));

describe.runIf(platform() === 'linux' && arch() === 'x64')('onnxruntime-node CUDA provider install', () => {
  let version: string;
  let projectAllowScripts: Record<string, boolean>;
  let nuget: FakeNuget;
  const scratch: string[] = [];

  beforeAll(async () => {
    version = (JSON.parse(await readFile(join(ORT, 'package.json'), 'utf8')) as { version: string }).version;
    projectAllowScripts = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
    nuget = await startFakeNuget({ version, libraries: LIBS });
  });
  afterEach(() => {
    nuget.tunnels.length = 0;
    nuget.paths.length = 0;
  });
  afterAll(async () => {
    await nuget.close();
    await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function project(allowScripts: Record<string, boolean> = projectAllowScripts) {
    const p = await scratchProject(allowScripts);
    scratch.push(p.dir);
    return p;
  }

  /** The install script as npm runs it for a dependency: in its folder, with npm's variables. */
  async function installScript(extraEnv: Record<string, string | undefined>, args: string[] = []) {
    const p = await project();
    const env = nuget.env({
      NODE_PATH: NODE_MODULES,
      npm_config_local_prefix: p.dir,
      npm_package_json: join(p.ort, 'package.json'),
      ...extraEnv,
    });
    const ran = await run(process.execPath, ['script/install.js', ...args], p.ort, env);
    return { ran, files: await installed(p.ort) };
  }

  it('with no flag, a dependency install downloads the CUDA provider (why a plain npm ci needs the deny)', async () => {
    const { ran, files } = await installScript({});
    expect(ran.code, ran.stderr).toBe(0);
    expect(nuget.tunnels).toContain('api.nuget.org:443');
    expect(nuget.paths).toContain(`/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/${version}/microsoft.ml.onnxruntime.gpu.linux.${version}.nupkg`);
    expect(files).toMatchObject(EXPECTED);
  });

  it.each([
    ['ONNXRUNTIME_NODE_INSTALL=skip', { ONNXRUNTIME_NODE_INSTALL: 'skip' }],
    ['the npm config the old .npmrc key set', { npm_config_onnxruntime_node_install: 'skip' }],
  ])('%s: exits 0 without a request', async (_name, env) => {
    const { ran, files } = await installScript(env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(nuget.tunnels).toEqual([]);
    expect(Object.keys(files).filter((n) => LIBS.includes(n))).toEqual([]);
  });

  it.each([
    ['ONNXRUNTIME_NODE_INSTALL=1 (force)', { ONNXRUNTIME_NODE_INSTALL: '1' }, []],
    ['the flag form --onnxruntime-node-install', {}, ['--onnxruntime-node-install']],
    ['ONNXRUNTIME_NODE_INSTALL=cuda12', { ONNXRUNTIME_NODE_INSTALL: 'cuda12' }, []],
    ['the flag form --onnxruntime-node-install=cuda12', {}, ['--onnxruntime-node-install=cuda12']],
  ])('%s: a dependency install gets the three provider libraries', async (_name, env, args) => {
    const { ran, files } = await installScript(env, args);
    expect(ran.code, ran.stderr).toBe(0);
    expect(files).toMatchObject(EXPECTED);
  });

  // onnxruntime-node 1.30 parses `cuda12` as "no flag", and with no flag it does nothing when npm's
  // variables name the project itself (as under `npm run`): the trap install:cuda avoids.
  it.each([
    ['ONNXRUNTIME_NODE_INSTALL=cuda12', { ONNXRUNTIME_NODE_INSTALL: 'cuda12' }, []],
    ['--onnxruntime-node-install=cuda12', {}, ['--onnxruntime-node-install=cuda12']],
  ])('%s run from an npm script of the project installs nothing', async (_name, env, args) => {
    const { ran, files } = await installScript({ ...env, npm_config_local_prefix: ROOT, npm_package_json: join(ROOT, 'package.json') }, args);
    expect(ran.code, ran.stderr).toBe(0);
    expect(nuget.tunnels).toEqual([]);
    expect(Object.keys(files).filter((n) => LIBS.includes(n))).toEqual([]);
  });

  it('the deprecated ONNXRUNTIME_NODE_INSTALL_CUDA=v12 is an explicit cuda12 and installs even from an npm script', async () => {
    const { ran, files } = await installScript({ ONNXRUNTIME_NODE_INSTALL_CUDA: 'v12', npm_config_local_prefix: ROOT, npm_package_json: join(ROOT, 'package.json') });
    expect(ran.code, ran.stderr).toBe(0);
    expect(files).toMatchObject(EXPECTED);
  });

  it('the variable wins over the flag: ONNXRUNTIME_NODE_INSTALL=skip with --onnxruntime-node-install=cuda12 installs nothing', async () => {
    const { ran, files } = await installScript({ ONNXRUNTIME_NODE_INSTALL: 'skip' }, ['--onnxruntime-node-install=cuda12']);
    expect(ran.code).toBe(0);
    expect(nuget.tunnels).toEqual([]);
    expect(Object.keys(files).filter((n) => LIBS.includes(n))).toEqual([]);
  });

  it('npm run install:cuda installs it under npm run, even when the shell exports ONNXRUNTIME_NODE_INSTALL=skip', async () => {
    const p = await project();
    const npmRun = { npm_config_local_prefix: ROOT, npm_package_json: join(ROOT, 'package.json'), npm_lifecycle_event: 'install:cuda' };
    const env = nuget.env({ NODE_PATH: NODE_MODULES, ONNXRUNTIME_NODE_INSTALL: 'skip', ...npmRun });
    const ran = await run(process.execPath, [join(ROOT, 'scripts', 'install-cuda.mjs'), p.ort], ROOT, env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`CUDA 12 provider installed in ${join(p.ort, 'bin', 'napi-v6', 'linux', 'x64')}`);
    expect(await installed(p.ort)).toMatchObject(EXPECTED);
  });

  it('npm run install:cuda fails with what to fix when the package cannot be downloaded', async () => {
    const broken = await startFakeNuget({ version, libraries: LIBS, missingPackage: true });
    try {
      const p = await project();
      const ran = await run(process.execPath, [join(ROOT, 'scripts', 'install-cuda.mjs'), p.ort], ROOT, broken.env({ NODE_PATH: NODE_MODULES }));
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain('HTTP status code = 404');
      expect(ran.stderr).toContain('install:cuda: the CUDA provider was not installed (install script exit 1)');
      expect(ran.stderr).toContain('needs HTTPS access to it');
      expect(await installed(p.ort)).toEqual({});
    } finally {
      await broken.close();
    }
  });

  describe('npm honours package.json allowScripts', () => {
    it("this project's policy denies onnxruntime-node and allows every other install script it has", () => {
      expect(projectAllowScripts['onnxruntime-node']).toBe(false);
      expect(Object.entries(projectAllowScripts).filter(([, allowed]) => !allowed).map(([name]) => name)).toEqual(['onnxruntime-node']);
    });

    it('npm rebuild under the project policy does not run the install script', async () => {
      const p = await project();
      const ran = await run('npm', ['rebuild', '--foreground-scripts'], p.dir, nuget.env({ NODE_PATH: NODE_MODULES }));
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).not.toContain('Unknown project config');
      expect(nuget.tunnels).toEqual([]);
      expect(await installed(p.ort)).toEqual({});
    });

    it('the same rebuild with onnxruntime-node allowed does run it (the control)', async () => {
      const p = await project({ ...projectAllowScripts, 'onnxruntime-node': true });
      const ran = await run('npm', ['rebuild', '--foreground-scripts'], p.dir, nuget.env({ NODE_PATH: NODE_MODULES }));
      expect(ran.code, ran.stderr).toBe(0);
      expect(nuget.tunnels).toContain('api.nuget.org:443');
      expect(await installed(p.ort)).toMatchObject(EXPECTED);
    });
  });
});

it('npm reads this project\'s configuration without an unknown-key warning', async () => {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_/i.test(key)) delete env[key];
  const ran = await run('npm', ['config', 'list'], ROOT, env);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stderr).not.toMatch(/Unknown .* config/);
});
