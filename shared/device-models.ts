// The on-device model list (`manifest.json`): written by the edge for the folder it serves
// (edge/routes/device.ts), read by the browser's engine (web/src/device/engine.ts). A static host
// can serve a hand-written one; `bytes` and `sha256` may then be null.
import { z } from 'zod';

/** File names only (no folders, nothing hidden): the engine joins them to the models URL. */
export const DEVICE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Bytes of one file the engine will fetch (a SAM2-large encoder is under 1 GB). */
export const MAX_DEVICE_FILE_BYTES = 2 * 1024 ** 3;

export const ManifestFileSchema = z.strictObject({
  file: z.string().regex(DEVICE_FILE_NAME),
  bytes: z.number().int().min(1).max(MAX_DEVICE_FILE_BYTES).nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});

export const ManifestGraphSchema = ManifestFileSchema.extend({
  /** External data files the graph names (onnx-community `<name>.onnx_data`). */
  data: z.array(ManifestFileSchema).max(8).default([]),
});

export const DeviceModelsManifestSchema = z.strictObject({
  format: z.literal('refseg-device-models/1'),
  encoder: ManifestGraphSchema,
  decoder: ManifestGraphSchema,
  dino: ManifestGraphSchema,
});

export type ManifestFile = z.output<typeof ManifestFileSchema>;
export type ManifestGraph = z.output<typeof ManifestGraphSchema>;
export type DeviceModelsManifest = z.output<typeof DeviceModelsManifestSchema>;
