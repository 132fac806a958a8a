import { describe, expect, it } from 'vitest';
import { ProgressBar, describeProgress, formatBytes, formatDuration, renderBar } from './progress.ts';

class FakeStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

describe('formatting', () => {
  it('prints sizes in decimal units as the hubs do', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(354_238)).toBe('354.2 kB');
    expect(formatBytes(88_532_934)).toBe('88.5 MB');
    expect(formatBytes(1_350_487_000)).toBe('1.35 GB');
  });

  it('prints durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(4.4)).toBe('0:04');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(Number.NaN)).toBe('--:--');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
  });

  it('fills the bar in proportion', () => {
    expect(renderBar(0, 100, 12)).toBe('[----------]');
    expect(renderBar(50, 100, 12)).toBe('[#####-----]');
    expect(renderBar(100, 100, 12)).toBe('[##########]');
    expect(renderBar(150, 100, 12)).toBe('[##########]');
  });

  it('describes percent, done/total, rate and ETA', () => {
    expect(describeProgress({ done: 25_000_000, total: 100_000_000, rate: 5_000_000 }, 'bytes')).toBe(' 25%  25.0 MB/100.0 MB  5.00 MB/s  ETA 0:15');
    expect(describeProgress({ done: 30, total: 120, rate: 3 }, 'items')).toBe(' 25%  30/120  3.0/s  ETA 0:30');
    expect(describeProgress({ done: 1234, total: null, rate: 0 }, 'bytes')).toBe('1.23 kB  0 B/s');
    expect(describeProgress({ done: 10, total: 100, rate: 0 }, 'items')).toBe(' 10%  10/100  0.0/s  ETA --:--');
  });
});

describe('ProgressBar', () => {
  it('on a terminal redraws one line in place, throttled, and ends it on finish', () => {
    let t = 0;
    const stream = new FakeStream(true, 60);
    const bar = new ProgressBar({ label: 'model.onnx', total: 1000, unit: 'items', stream, now: () => t, redrawMs: 100 });
    bar.update(0);
    t = 50;
    bar.update(100); // too soon: not drawn
    t = 1000;
    bar.update(500);
    bar.finish();
    const frames = stream.text.split('\r').slice(1);
    expect(frames).toHaveLength(3);
    expect(frames.every((f) => f.includes('\x1b[K'))).toBe(true);
    expect(frames[1]).toContain(' 50%  500/1,000  500.0/s  ETA 0:01');
    expect(frames[2].endsWith('\n')).toBe(true);
    for (const f of frames) expect(f.replace('\x1b[K', '').replace('\n', '').length).toBeLessThanOrEqual(59);
    expect(stream.text.indexOf('\n')).toBe(stream.text.length - 1);
  });

  it('shortens a long label to fit the terminal width', () => {
    const stream = new FakeStream(true, 50);
    const bar = new ProgressBar({ label: 'x'.repeat(100), total: 10, stream, now: () => 0 });
    bar.update(5);
    const line = stream.text.slice(1, stream.text.indexOf('\x1b[K'));
    expect(line.length).toBeLessThanOrEqual(49);
    expect(line.startsWith('…x')).toBe(true);
    expect(line).toContain('[');
  });

  it('in a log writes a plain line at most every interval, and a final line', () => {
    let t = 0;
    const stream = new FakeStream(false);
    const bar = new ProgressBar({ label: 'dl', total: 100, unit: 'items', stream, now: () => t, logIntervalMs: 5000 });
    for (; t <= 12_000; t += 1000) bar.update(t / 200);
    bar.finish('done');
    const lines = stream.text.trimEnd().split('\n');
    expect(stream.text).not.toContain('\r');
    expect(lines).toEqual([
      'dl    0%  0/100  0.0/s  ETA --:--',
      'dl   25%  25/100  5.0/s  ETA 0:15',
      'dl   50%  50/100  5.0/s  ETA 0:10',
      'dl   60%  60/100  5.0/s  ETA 0:08  done',
    ]);
  });

  it('draws nothing after finish', () => {
    const stream = new FakeStream(false);
    const bar = new ProgressBar({ label: 'a', total: null, stream, now: () => 0 });
    bar.finish();
    const before = stream.text;
    bar.update(5);
    bar.finish();
    expect(stream.text).toBe(before);
  });
});
