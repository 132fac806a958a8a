// What the browser's on-device engine fetches (docs/on-device.md): GET /device/config says where
// its models and onnxruntime-web's WASM come from; on an edge with a file system,
// /device/models/{file} and /device/ort/{file} serve them (names allow-listed, cacheable).
import { z } from 'zod';
import { NotFoundError } from '../../shared/errors.ts';
import type { EdgeConfig } from '../config.ts';
import type { DeviceFileSource } from '../device/files.ts';
import type { Router } from './router.ts';

const FileParamsSchema = z.strictObject({ file: z.string().max(128).describe('File name.') });

export const DeviceConfigSchema = z.strictObject({
  modelsUrl: z.string().nullable().describe('Folder with manifest.json and the model files (relative: to the page); null: on-device mode is not set up.'),
  wasmUrl: z.string().nullable().describe("Folder with onnxruntime-web's WASM binaries (relative: to the page); null: not served."),
});

/** Where the page finds its device files: configured URLs first, else this edge's own routes. */
export function deviceUrls(config: EdgeConfig['device'], files: DeviceFileSource | undefined): z.output<typeof DeviceConfigSchema> {
  return {
    modelsUrl: config.modelsUrl ?? (files?.hasModels ? 'device/models/' : null),
    wasmUrl: config.wasmUrl ?? (files ? 'device/ort/' : null),
  };
}

export function deviceRoutes(router: Router, config: EdgeConfig['device'], files: DeviceFileSource | undefined): void {
  router.add(
    {
      method: 'get',
      path: '/device/config',
      operationId: 'deviceConfig',
      summary: "Where the browser's on-device engine fetches its models and onnxruntime-web's WASM.",
      tag: 'Web app',
      access: 'public',
      responses: { 200: { description: 'The two folders (null: not available).', schema: DeviceConfigSchema } },
    },
    (c) => {
      c.header('Cache-Control', 'no-cache');
      return c.json(deviceUrls(config, files));
    },
  );
  const serve = (kind: 'model' | 'runtime', path: string, operationId: string, summary: string) =>
    router.add(
      {
        method: 'get',
        path,
        operationId,
        summary,
        tag: 'Web app',
        access: 'public',
        params: FileParamsSchema,
        responses: { 200: { description: 'The file.', contentType: 'application/octet-stream' } },
        problems: [404],
      },
      async (c) => {
        const name = c.req.param('file') ?? '';
        const file = files ? await files[kind](name) : null;
        if (!file) throw new NotFoundError('device file', name);
        const manifest = kind === 'model' && name === 'manifest.json';
        return c.body(file.body, 200, {
          'Content-Type': manifest ? 'application/json' : name.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream',
          'Content-Length': String(file.size),
          // The engine keeps files by their SHA-256 (models) or onnxruntime-web's version
          // (binaries), so a day of HTTP caching never serves stale weights to it.
          'Cache-Control': manifest ? 'no-cache' : 'public, max-age=86400',
          'X-Content-Type-Options': 'nosniff',
        });
      },
    );
  serve('model', '/device/models/:file', 'deviceModelFile', "The on-device models' manifest.json or a file it lists (REFSEG_DEVICE_MODELS_DIR).");
  serve('runtime', '/device/ort/:file', 'deviceRuntimeFile', "onnxruntime-web's WASM binary for the on-device engine (Node edge).");
}
