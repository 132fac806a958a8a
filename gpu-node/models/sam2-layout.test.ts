import { describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from './errors.ts';
import { LAYOUTS, ZeroMasks, boxFeeds, detectLayout, levelTensors, pointFeeds, promptBatchLimit } from './sam2-layout.ts';

const A_DECODER = ['input_points', 'input_labels', 'input_boxes', 'image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'];
const B_DECODER = ['image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'];

const levels = levelTensors([new Float32Array(32 * 256 * 256), new Float32Array(64 * 128 * 128), new Float32Array(256 * 64 * 64)]);

describe('detectLayout', () => {
  it('tells the two public layouts apart by input names', () => {
    expect(detectLayout(['pixel_values'], A_DECODER, 'x').layout).toBe('onnx-community');
    expect(detectLayout(['image'], [...B_DECODER].reverse(), 'x').layout).toBe('samexporter');
  });

  it('refuses mixed pairs and unknown graphs, naming both expected layouts', () => {
    for (const [enc, dec] of [
      [['image'], A_DECODER],
      [['pixel_values'], B_DECODER],
      [['input'], ['a', 'b']],
    ]) {
      const run = () => detectLayout(enc, dec, 'models/sam2');
      expect(run).toThrow(ModelFormatError);
      expect(run).toThrow(/models\/sam2: not a supported SAM2 export.*onnx-community \(encoder input pixel_values.*samexporter \(encoder input image/);
    }
  });

  it('refuses the orig_im_size variant (masks at original size) with a message saying so', () => {
    expect(() => detectLayout(['image'], [...B_DECODER, 'orig_im_size'], 'x')).toThrow(/orig_im_size/);
  });
});

describe('promptBatchLimit', () => {
  it('reads a fixed prompt axis, else dynamic', () => {
    expect(promptBatchLimit(['batch_size', 'point_batch_size', 'num_points', 2], 1)).toBe('dynamic');
    expect(promptBatchLimit(['batch_size', 1, 'num_points', 2], 1)).toBe(1);
    expect(promptBatchLimit([16, 'num_points', 2], 0)).toBe(16);
    expect(promptBatchLimit(undefined, 0)).toBe('dynamic');
  });
});

describe('pointFeeds', () => {
  const points = Float32Array.of(16.5, 49.5, 82.5, 16.5, 1023.5, 1023.5);
  const labels = Int32Array.of(1, 0, 1);

  it('onnx-community: appends the padding point (0, 0) with label −1 to every prompt', () => {
    const f = pointFeeds(LAYOUTS['onnx-community'], levels, points, labels, 1, 2, new ZeroMasks());
    expect(f.input_points.dims).toEqual([1, 2, 2, 2]);
    expect(Array.from(f.input_points.data as Float32Array)).toEqual([82.5, 16.5, 0, 0, 1023.5, 1023.5, 0, 0]);
    expect(f.input_labels.type).toBe('int64');
    expect(Array.from(f.input_labels.data as BigInt64Array)).toEqual([0n, -1n, 1n, -1n]);
    expect(f.input_boxes.dims).toEqual([1, 0, 4]);
    expect(f['image_embeddings.2']).toBe(levels[2]);
    expect(Object.keys(f).sort()).toEqual([...LAYOUTS['onnx-community'].decoderInputs].sort());
  });

  it('samexporter: the bare point (the graph pads), float labels, zero mask input', () => {
    const f = pointFeeds(LAYOUTS.samexporter, levels, points, labels, 0, 3, new ZeroMasks());
    expect(f.point_coords.dims).toEqual([3, 1, 2]);
    expect(Array.from(f.point_coords.data as Float32Array)).toEqual(Array.from(points));
    expect(f.point_labels.type).toBe('float32');
    expect(Array.from(f.point_labels.data as Float32Array)).toEqual([1, 0, 1]);
    expect(f.mask_input.dims).toEqual([3, 1, 256, 256]);
    expect((f.mask_input.data as Float32Array).every((v) => v === 0)).toBe(true);
    expect(Array.from(f.has_mask_input.data as Float32Array)).toEqual([0]);
    expect(f.high_res_feats_0).toBe(levels[0]);
    expect(Object.keys(f).sort()).toEqual([...LAYOUTS.samexporter.decoderInputs].sort());
  });
});

describe('boxFeeds', () => {
  const boxes = Float32Array.of(10, 20, 110, 220, 300, 300, 400, 500);

  it('samexporter: a box is two corner points labelled 2 and 3', () => {
    const f = boxFeeds(LAYOUTS.samexporter, levels, boxes, 0, 2, new ZeroMasks());
    expect(f.point_coords.dims).toEqual([2, 2, 2]);
    expect(Array.from(f.point_coords.data as Float32Array)).toEqual(Array.from(boxes));
    expect(Array.from(f.point_labels.data as Float32Array)).toEqual([2, 3, 2, 3]);
  });

  it('onnx-community: one box in input_boxes with an empty point list', () => {
    const f = boxFeeds(LAYOUTS['onnx-community'], levels, boxes, 1, 1, new ZeroMasks());
    expect(f.input_boxes.dims).toEqual([1, 1, 4]);
    expect(Array.from(f.input_boxes.data as Float32Array)).toEqual([300, 300, 400, 500]);
    expect(f.input_points.dims).toEqual([1, 1, 0, 2]);
    expect(f.input_labels.dims).toEqual([1, 1, 0]);
    expect(() => boxFeeds(LAYOUTS['onnx-community'], levels, boxes, 0, 2, new ZeroMasks())).toThrow(ModelInputError);
  });
});
