// Golden runner for nms/ (FORMAT.md §3.3): torchvision.ops.batched_nms on CPU.
import { expect } from 'vitest';
import { batchedNms } from '../../shared/boxes.ts';
import { describeGolden } from './fixtures.ts';

describeGolden('nms', (c) => {
  const rows = c.input.boxes_xyxy as number[][];
  const boxes = new Float32Array(rows.length * 4);
  rows.forEach((row, i) => {
    expect(row).toHaveLength(4);
    boxes.set(row, 4 * i);
  });
  const keep = batchedNms(boxes, Float32Array.from(c.input.scores as number[]), c.input.labels as number[], c.input.iou_threshold as number);
  expect(Array.from(keep)).toEqual(c.expected.keep);
});
