// The on-device choice stored per bank (web/src/device/settings.ts): what was saved comes back,
// and anything else in the entry (hand-edited, from an older page, another type) falls back to
// the default field by field instead of reaching the page.
import { beforeEach, describe, expect, it } from 'vitest';
import { loadDeviceSettings, PAPER_GRID, saveDeviceSettings } from '../../web/src/device/settings.ts';

const store = new Map<string, string>();
beforeEach(() => {
  store.clear();
  Object.assign(globalThis, {
    localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, String(v)) },
  });
});

describe('on-device settings per bank', () => {
  it('defaults to the server, nothing sent, the paper grid', () => {
    expect(loadDeviceSettings('bank_a')).toEqual({ where: 'server', send: 'nothing', grid: PAPER_GRID });
  });

  it('gives back what was saved, for that bank only', () => {
    saveDeviceSettings('bank_a', { where: 'device', send: 'candidates', grid: 8 });
    expect(loadDeviceSettings('bank_a')).toEqual({ where: 'device', send: 'candidates', grid: 8 });
    expect(loadDeviceSettings('bank_b')).toEqual({ where: 'server', send: 'nothing', grid: PAPER_GRID });
  });

  it('falls back field by field on entries it did not write', () => {
    for (const [raw, expected] of [
      ['not json', { where: 'server', send: 'nothing', grid: 32 }],
      ['[1,2]', { where: 'server', send: 'nothing', grid: 32 }],
      ['{"where":"cloud","send":"candidates","grid":16}', { where: 'server', send: 'candidates', grid: 16 }],
      ['{"where":"device","grid":0}', { where: 'device', send: 'nothing', grid: 32 }],
      ['{"where":"device","grid":8.5}', { where: 'device', send: 'nothing', grid: 32 }],
      ['{"where":"device","grid":"8"}', { where: 'device', send: 'nothing', grid: 32 }],
      ['{"__proto__":{"where":"device"}}', { where: 'server', send: 'nothing', grid: 32 }],
    ] as const) {
      store.set('refseg.device.bank_a', raw);
      expect(loadDeviceSettings('bank_a'), raw).toEqual(expected);
    }
  });
});
