#!/usr/bin/env node
// `npm run install:cuda`: puts onnxruntime-node's CUDA 12 execution provider beside its CPU
// binaries. package.json denies onnxruntime-node's own postinstall (allowScripts) so that a plain
// `npm ci` never reaches for NuGet; this runs that same install script on purpose, then checks
// that the provider libraries are really there.
//
// The script is run with ONNXRUNTIME_NODE_INSTALL=1 ("force"), not `cuda12`: onnxruntime-node
// 1.30's parseInstallFlag returns nothing for `cuda12` (or any other manifest name), so `cuda12`
// means "no flag", and with no flag the script exits at once, installing nothing, whenever npm's
// variables say it runs for the project itself, as they do under `npm run`. An inherited `skip`
// (CI exports it) would make it a no-op too; the forced value replaces both.
//
//   node scripts/install-cuda.mjs [onnxruntime-node folder]   (default: this project's)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

/** What onnxruntime-node 1.x's install-metadata.js puts in bin/napi-v6/linux/x64 for `cuda12`. */
const CUDA_LIBRARIES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'];

const ortDir = process.argv[2] ?? dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const where = `${platform()}/${arch()}`;
if (where !== 'linux/x64') {
  console.error(`install:cuda: onnxruntime-node publishes its CUDA provider for linux/x64 only; this is ${where}. The CPU provider is already installed.`);
  process.exit(1);
}

const run = spawnSync(process.execPath, [join(ortDir, 'script', 'install.js')], {
  cwd: ortDir,
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: '1' },
});
const binDir = join(ortDir, 'bin', 'napi-v6', 'linux', 'x64');
const missing = CUDA_LIBRARIES.filter((name) => !existsSync(join(binDir, name)));
if (run.status !== 0 || missing.length > 0) {
  console.error(
    `install:cuda: the CUDA provider was not installed (${run.status !== 0 ? `install script exit ${run.status ?? run.signal}` : `missing ${missing.join(', ')}`}).\n` +
      'It is downloaded from https://api.nuget.org (package Microsoft.ML.OnnxRuntime.Gpu.Linux, the same version as ' +
      'onnxruntime-node): this machine needs HTTPS access to it, or build the image where it has (deploy/gpu-node.Dockerfile).',
  );
  process.exit(1);
}
console.log(`install:cuda: CUDA 12 provider installed in ${binDir}.\nCheck that it loads (CUDA 12 and cuDNN 9 libraries on the loader path): npx refseg doctor`);
