// Where a bank's images are processed, remembered per bank in localStorage (it names no secret):
// on the server (the edge and its gpu-nodes), or on this device, where the models run in a Web
// Worker and either nothing leaves the device or only the candidate set is sent. Part of the main
// bundle, so it imports nothing of the on-device code.
import type { SegmentResponse } from '../../../shared/client/index.ts';

export type DeviceWhere = 'server' | 'device';
/** On the device: `nothing` matches here (the image never leaves); `candidates` sends the candidate set. */
export type DeviceSend = 'nothing' | 'candidates';

export interface DeviceSettings {
  where: DeviceWhere;
  send: DeviceSend;
  /** Prompt grid side on the device; 32 is the paper's. */
  grid: number;
}

export const PAPER_GRID = 32;
const DEFAULTS: DeviceSettings = { where: 'server', send: 'nothing', grid: PAPER_GRID };
const keyOf = (bankId: string) => `refseg.device.${bankId}`;

/** What the on-device path adds to a result, for the queue and the caption. */
export interface OnDeviceRun {
  send: DeviceSend;
  grid: number;
  candidates: number;
  /** Wall time of the models on the device, ms. */
  deviceMs: number;
  /** Wall time of each stage (decode, sam2-encoder, dinov2, …), ms, as the engine reports them. */
  stages: Record<string, number>;
}

export type PageResult = SegmentResponse & { onDevice?: OnDeviceRun };

/** The stored choice, each field checked (a hand-edited or old entry falls back to the default). */
export function loadDeviceSettings(bankId: string): DeviceSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(localStorage.getItem(keyOf(bankId)) ?? 'null');
  } catch {
    raw = null;
  }
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    where: r.where === 'device' ? 'device' : DEFAULTS.where,
    send: r.send === 'candidates' ? 'candidates' : DEFAULTS.send,
    grid: typeof r.grid === 'number' && Number.isInteger(r.grid) && r.grid >= 1 && r.grid <= 128 ? r.grid : DEFAULTS.grid,
  };
}

export function saveDeviceSettings(bankId: string, settings: DeviceSettings): void {
  localStorage.setItem(keyOf(bankId), JSON.stringify(settings));
}
