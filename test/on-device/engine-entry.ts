// Page script of the Chromium parity test (engine.test.ts): the on-device engine exactly as the
// web app imports it, driven from the test through window.refsegDevice.
import { bytesToBase64 } from '../../shared/encoding/index.ts';
import { openDeviceEngine } from '../../web/src/device/engine.ts';
import type { DeviceEngineInfo, DeviceProgress, DeviceStages } from '../../web/src/device/engine.ts';

export interface DeviceRun {
  info: DeviceEngineInfo;
  /** Last progress event of each file. */
  progress: DeviceProgress[];
  /** Per image: base64 of the binary set, and its stage times. */
  images: { set: string; width: number; height: number; stages: DeviceStages; totalMs: number }[];
  crossOriginIsolated: boolean;
}

async function run(options: { modelsUrl: string; wasmUrl: string; images: string[]; grid: number; threads?: number }): Promise<DeviceRun> {
  const last = new Map<string, DeviceProgress>();
  const engine = await openDeviceEngine({ modelsUrl: options.modelsUrl, wasmUrl: options.wasmUrl, threads: options.threads, onProgress: (p) => last.set(p.file, p) });
  try {
    const images = [];
    for (const url of options.images) {
      const blob = await (await fetch(url)).blob();
      const r = await engine.candidates(blob, { preset: 'official', pointsPerSide: options.grid });
      images.push({ set: bytesToBase64(r.set), width: r.width, height: r.height, stages: r.stages, totalMs: r.totalMs });
    }
    return { info: engine.info, progress: [...last.values()], images, crossOriginIsolated: self.crossOriginIsolated };
  } finally {
    engine.close();
  }
}

(globalThis as unknown as { refsegDevice: typeof run }).refsegDevice = run;
