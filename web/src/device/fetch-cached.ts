// One engine file (the onnxruntime-web WASM binary, a model graph or its data) fetched once with
// progress and kept in Cache Storage, so the next visit reads it from disk. A file whose SHA-256
// the model list gives is checked before it is kept; a cached copy is keyed by that hash, so a
// changed model on the server is fetched again.
import { bytesToHex } from '../../../shared/encoding/index.ts';
import type { ManifestFile } from './manifest.ts';

export const DEVICE_CACHE = 'refseg-device-v1';

export interface Fetched {
  bytes: ArrayBuffer;
  cached: boolean;
}

export type FileProgress = (loaded: number, total: number | null, cached: boolean) => void;

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

async function openCache(): Promise<Cache | null> {
  // Cache Storage exists only in secure contexts (https, localhost); elsewhere nothing is kept.
  try {
    return typeof caches === 'undefined' ? null : await caches.open(DEVICE_CACHE);
  } catch {
    return null;
  }
}

export async function fetchCached(url: string, spec: ManifestFile, signal: AbortSignal | undefined, progress: FileProgress): Promise<Fetched> {
  const key = spec.sha256 ? `${url}${url.includes('?') ? '&' : '?'}sha256=${spec.sha256}` : url;
  const cache = await openCache();
  const hit = await cache?.match(key);
  if (hit) {
    const bytes = await hit.arrayBuffer();
    if (spec.sha256 === null || (await sha256Hex(bytes)) === spec.sha256) {
      progress(bytes.byteLength, bytes.byteLength, true);
      return { bytes, cached: true };
    }
    await cache?.delete(key);
  }
  const res = await fetch(url, { signal }).catch((err: unknown) => {
    throw new Error(`${spec.file} cannot be fetched from ${url}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (!res.ok || !res.body) throw new Error(`${spec.file}: ${url} answered ${res.status}`);
  const length = Number(res.headers.get('Content-Length'));
  const total = spec.bytes ?? (Number.isSafeInteger(length) && length > 0 ? length : null);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  progress(0, total, false);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    // A server sending more than it announced is not sending this file.
    if (total !== null && loaded > total) {
      await reader.cancel();
      throw new Error(`${spec.file}: ${url} sent more than the announced ${total} bytes`);
    }
    chunks.push(value);
    progress(loaded, total, false);
  }
  if (total !== null && loaded !== total) throw new Error(`${spec.file}: ${url} sent ${loaded} of ${total} bytes`);
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  if (spec.sha256 !== null && (await sha256Hex(bytes.buffer)) !== spec.sha256) {
    throw new Error(`${spec.file}: the bytes from ${url} do not have the SHA-256 the model list gives; not used`);
  }
  // Keeping is best effort: a full disk or a private window still runs the engine.
  await cache?.put(key, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => {});
  return { bytes: bytes.buffer, cached: false };
}
