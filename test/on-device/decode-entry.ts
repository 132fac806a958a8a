// Page script of decode-chromium.ts (decode-browser.test.ts): the engine's own decoder, run in a Web Worker as the
// engine runs it (OffscreenCanvas exists there), driven through window.refsegDecode.
import { bytesToBase64 } from '../../shared/encoding/index.ts';
import { decodeInBrowser } from '../../web/device/decode.ts';

declare const __DECODE_WORKER__: string;

if (typeof document === 'undefined') {
  self.addEventListener('message', async (e: MessageEvent<{ url: string }>) => {
    try {
      const blob = await (await fetch(e.data.url)).blob();
      const d = await decodeInBrowser(blob);
      self.postMessage({ width: d.width, height: d.height, rgb: bytesToBase64(d.data) });
    } catch (err) {
      self.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
} else {
  (globalThis as unknown as { refsegDecode: unknown }).refsegDecode = (url: string) =>
    new Promise((resolve) => {
      const worker = new Worker(__DECODE_WORKER__, { type: 'module' });
      worker.onmessage = (e) => {
        worker.terminate();
        resolve(e.data);
      };
      worker.postMessage({ url });
    });
}
