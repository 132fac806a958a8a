// The model list an on-device engine reads first (`<modelsUrl>/manifest.json`; the edge writes
// it for REFSEG_DEVICE_MODELS_DIR, edge/routes/device.ts): which file is the SAM2 encoder, the
// decoder and DINOv2, their external data files, sizes and SHA-256s. Checked like any input.
import { z } from 'zod';
import { DeviceModelsManifestSchema } from '../../../shared/device-models.ts';
import type { DeviceModelsManifest } from '../../../shared/device-models.ts';

export type { DeviceModelsManifest, ManifestFile, ManifestGraph } from '../../../shared/device-models.ts';

/** A manifest larger than this is not a model list. */
const MAX_MANIFEST_CHARS = 64 * 1024;

export function parseManifest(text: string): DeviceModelsManifest {
  const fail = (why: string) => new Error(`the on-device model list is not usable: ${why}`);
  if (text.length > MAX_MANIFEST_CHARS) throw fail(`it is ${text.length} characters long`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('it is not JSON');
  }
  const parsed = DeviceModelsManifestSchema.safeParse(json);
  if (!parsed.success) throw fail(z.prettifyError(parsed.error).split('\n').slice(0, 3).join('; '));
  return parsed.data;
}
