import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { countsToString } from './coco-mask/index.ts';
import type { UncompressedRle } from './coco-mask/index.ts';
import { bytesToBase64 } from './encoding/base64.ts';
import { toLittleEndianBytes } from './encoding/little-endian.ts';
import { ValidationError } from './errors.ts';
import * as schemas from './schemas.ts';
import {
  BankFileSchema,
  BankSchema,
  BoxXyxySchema,
  CocoBoxSchema,
  DetectionSchema,
  PolygonsSchema,
  ProposalPresetSchema,
  ReferenceAnnotationSchema,
  RleSchema,
  SegmentOptionsSchema,
  UncompressedRleSchema,
} from './schemas.ts';
import type { BoxXyxy, CocoBox, Detection, Rle } from './types.ts';

/** Issues as "path: message" lines, so failures say which rule fired. */
function issues(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const accepts = (schema: z.ZodType, value: unknown) => expect(issues(schema, value)).toEqual([]);
function rejects(schema: z.ZodType, value: unknown, pattern: RegExp): void {
  const found = issues(schema, value);
  expect(found.length, JSON.stringify(value)).toBeGreaterThan(0);
  expect(found.join('\n')).toMatch(pattern);
}

// 3×2 mask, column-major runs: 1 background, 4 foreground, 1 background.
const rle: Rle = { size: [3, 2], counts: countsToString([1, 4, 1]) };

describe('shared types and schemas agree', () => {
  it('inferred types match types.ts', () => {
    expectTypeOf<z.infer<typeof RleSchema>>().toEqualTypeOf<Rle>();
    expectTypeOf<z.infer<typeof CocoBoxSchema>>().toEqualTypeOf<CocoBox>();
    expectTypeOf<z.infer<typeof BoxXyxySchema>>().toEqualTypeOf<BoxXyxy>();
    expectTypeOf<z.infer<typeof DetectionSchema>>().toEqualTypeOf<Detection>();
    expectTypeOf<z.infer<typeof UncompressedRleSchema>>().toEqualTypeOf<UncompressedRle>();
  });

  it('every schema converts to JSON Schema (for the OpenAPI document) with a description', () => {
    const all = (Object.entries(schemas) as [string, unknown][]).filter((e): e is [string, z.ZodType] => e[1] instanceof z.ZodType);
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const [name, schema] of all) {
      const json = z.toJSONSchema(schema) as { description?: string };
      expect(typeof json.description, `${name} has a description`).toBe('string');
    }
    const options = z.toJSONSchema(SegmentOptionsSchema) as { properties: Record<string, { default?: unknown }> };
    expect(options.properties.maxDetections.default).toBe(100);
  });
});

describe('RleSchema', () => {
  it('accepts pycocotools strings that tile their size', () => {
    expect(rle.counts).toBe('141');
    accepts(RleSchema, rle);
    accepts(RleSchema, { size: [0, 0], counts: '' });
    accepts(RleSchema, { size: [1000, 1], counts: countsToString([0, 1000]) });
  });

  it('rejects bad characters, unfinished values, wrong totals and bad sizes', () => {
    rejects(RleSchema, { ...rle, counts: '14p' }, /counts: not a COCO compressed counts string/);
    rejects(RleSchema, { ...rle, counts: '14 0' }, /not a COCO compressed counts string/);
    rejects(RleSchema, { ...rle, counts: '14`' }, /not a COCO compressed counts string/); // '`' = 48+48: continuation bit set on the last char
    rejects(RleSchema, { ...rle, size: [3, 3] }, /counts: mask counts: runs cover 6 pixels but the mask is 3×3 = 9/);
    rejects(RleSchema, { size: [3, 2], counts: '' }, /runs cover 0 pixels/);
    rejects(RleSchema, { ...rle, size: [3, -2] }, /size/);
    rejects(RleSchema, { ...rle, size: [3, 2.5] }, /size/);
    rejects(RleSchema, { ...rle, size: [3] }, /size/);
    rejects(RleSchema, { size: [3, 2], counts: [1, 4, 1] }, /expected string/);
  });
});

describe('UncompressedRleSchema', () => {
  it('accepts runs adding up to h×w (zero-length runs included)', () => {
    accepts(UncompressedRleSchema, { size: [3, 2], counts: [1, 4, 1] });
    accepts(UncompressedRleSchema, { size: [3, 2], counts: [0, 0, 6] });
  });
  it('rejects wrong totals, negative and fractional runs', () => {
    rejects(UncompressedRleSchema, { size: [3, 2], counts: [1, 4] }, /add up to height × width/);
    rejects(UncompressedRleSchema, { size: [3, 2], counts: [7, -1] }, /counts\.1/);
    rejects(UncompressedRleSchema, { size: [3, 2], counts: [1.5, 4.5] }, /expected int/);
  });
});

describe('polygons and boxes', () => {
  it('polygons: at least 3 points, x/y pairs, finite', () => {
    accepts(PolygonsSchema, [[0, 0, 10, 0, 10, 10.5]]);
    accepts(PolygonsSchema, [[0, 0, 10, 0, 10, 10], [20, 20, 30, 20, 30, 30, 20, 30]]);
    rejects(PolygonsSchema, [], />=1|at least 1|too small/i);
    rejects(PolygonsSchema, [[0, 0, 10, 10]], /0: /);
    rejects(PolygonsSchema, [[0, 0, 10, 0, 10, 10, 5]], /x, y pairs/);
    rejects(PolygonsSchema, [[0, 0, 10, 0, 10, Infinity]], /0\.5/);
    rejects(PolygonsSchema, [[0, 0, 10, 0, 10, NaN]], /0\.5/);
  });

  it('COCO box: non-negative x, y, width, height', () => {
    accepts(CocoBoxSchema, [10.5, 0, 3, 0]);
    rejects(CocoBoxSchema, [10, 0, -3, 4], /^2: /);
    rejects(CocoBoxSchema, [10, 0, 3], /too small|expected/i);
    rejects(CocoBoxSchema, [10, 0, 3, 4, 5], /too big|expected/i);
  });

  it('xyxy box: inclusive integer corners in order', () => {
    accepts(BoxXyxySchema, [0, 0, 0, 0]);
    accepts(BoxXyxySchema, [3, 4, 9, 4]);
    rejects(BoxXyxySchema, [5, 0, 4, 3], /x2 ≥ x1/);
    rejects(BoxXyxySchema, [0, 0, 4.5, 3], /expected int/);
  });
});

describe('DetectionSchema', () => {
  const detection: Detection = { label: 2, score: 0.73, box: [0, 1, 1, 2], bbox: [0, 1, 2, 2], area: 4, mask: rle, index: 17 };
  it('accepts a detection', () => accepts(DetectionSchema, detection));
  it('rejects negative labels, fractional areas and malformed masks', () => {
    rejects(DetectionSchema, { ...detection, label: -1 }, /^label: /);
    rejects(DetectionSchema, { ...detection, area: 1.5 }, /^area: /);
    rejects(DetectionSchema, { ...detection, mask: { size: [3, 3], counts: rle.counts } }, /^mask\.counts: /);
  });
});

describe('ReferenceAnnotationSchema', () => {
  it('accepts exactly one of mask, polygons or box', () => {
    accepts(ReferenceAnnotationSchema, { className: 'mug', mask: rle });
    accepts(ReferenceAnnotationSchema, { className: 'mug', mask: { size: [3, 2], counts: [1, 4, 1] } });
    accepts(ReferenceAnnotationSchema, { className: 'coffee mug', polygons: [[0, 0, 4, 0, 4, 4]] });
    accepts(ReferenceAnnotationSchema, { className: 'mug', box: [1, 2, 30, 40], negative: true });
  });

  it('rejects none, two, unknown members and bad class names', () => {
    rejects(ReferenceAnnotationSchema, { className: 'mug' }, /exactly one of mask, polygons or box/);
    rejects(ReferenceAnnotationSchema, { className: 'mug', mask: rle, box: [1, 2, 3, 4] }, /exactly one/);
    rejects(ReferenceAnnotationSchema, { className: 'mug', polygon: [[0, 0, 4, 0, 4, 4]] }, /polygon/);
    rejects(ReferenceAnnotationSchema, { className: ' mug', box: [1, 2, 3, 4] }, /^className: /);
    rejects(ReferenceAnnotationSchema, { className: 'mu\ng', box: [1, 2, 3, 4] }, /^className: /);
    rejects(ReferenceAnnotationSchema, { className: '', box: [1, 2, 3, 4] }, /^className: /);
    rejects(ReferenceAnnotationSchema, { className: 'mug', box: [1, 2, 3, 4], negative: 'yes' }, /^negative: /);
    rejects(ReferenceAnnotationSchema, { className: 'mug', mask: { size: [3, 2], counts: '1' } }, /mask/);
  });
});

describe('BankSchema', () => {
  const bank = { id: 'shelf_01', name: 'Shelf products', classes: ['mug', 'bowl'], modelId: 'm', pipelineId: 'p' };
  it('accepts a bank', () => accepts(BankSchema, bank));
  it('rejects duplicate classes and bad ids', () => {
    rejects(BankSchema, { ...bank, classes: ['mug', 'mug'] }, /unique/);
    rejects(BankSchema, { ...bank, id: 'a/b' }, /^id: /);
    rejects(BankSchema, { ...bank, modelId: 'x'.repeat(257) }, /^modelId: /);
    rejects(BankSchema, { ...bank, modelId: 'é'.repeat(129) }, /256 UTF-8 bytes/);
  });
});

describe('BankFileSchema', () => {
  const vector = (values: number[]) => bytesToBase64(toLittleEndianBytes(Float32Array.from(values)));
  const file = {
    format: 'refseg.bank',
    version: 1,
    modelId: 'sam2-l+dinov2-l',
    pipelineId: 'official',
    dim: 3,
    classes: [
      { name: 'mug', instances: [{ referenceId: 'r1', vector: vector([0.5, -1, 2]) }], negatives: [{ referenceId: 'n1', vector: vector([1, 0, 0]) }] },
      { name: 'bowl', instances: [], negatives: [] },
    ],
  };
  const withMug = (mug: Partial<(typeof file.classes)[0]>) => ({ ...file, classes: [{ ...file.classes[0], ...mug }, file.classes[1]] });

  it('accepts a bank file', () => accepts(BankFileSchema, file));

  it('rejects vectors of the wrong length or with non-finite values', () => {
    rejects(BankFileSchema, withMug({ instances: [{ referenceId: 'r1', vector: vector([1, 2]) }] }), /classes\.0\.instances\.0\.vector: must decode to 12 bytes/);
    rejects(BankFileSchema, withMug({ negatives: [{ referenceId: 'n1', vector: vector([1, NaN, 2]) }] }), /classes\.0\.negatives\.0\.vector: value 1 is not finite/);
    rejects(BankFileSchema, withMug({ instances: [{ referenceId: 'r1', vector: 'AAAA*AAAAAAAAAAA' }] }), /vector: Invalid base64/);
  });

  it('rejects duplicate reference ids and class names, unknown formats and versions', () => {
    rejects(BankFileSchema, withMug({ negatives: [{ referenceId: 'r1', vector: vector([1, 0, 0]) }] }), /negatives\.0\.referenceId: duplicate reference id/);
    rejects(BankFileSchema, { ...file, classes: [file.classes[0], file.classes[0]] }, /class names must be unique/);
    rejects(BankFileSchema, { ...file, format: 'other' }, /^format: /);
    rejects(BankFileSchema, { ...file, version: 2 }, /^version: /);
    rejects(BankFileSchema, { ...file, extra: 1 }, /extra/);
  });
});

describe('SegmentOptionsSchema', () => {
  it('fills defaults', () => {
    expect(SegmentOptionsSchema.parse({})).toEqual({
      scoreThreshold: 0,
      maxDetections: 100,
      maskFormat: 'rle',
      semantic: false,
      officialBoxCompat: false,
      preset: 'official',
    });
    expect(SegmentOptionsSchema.parse({ classes: ['mug'], perClassThresholds: { mug: 0.4 }, maskFormat: 'png', preset: 'sam2-amg' })).toMatchObject({
      classes: ['mug'],
      perClassThresholds: { mug: 0.4 },
      maskFormat: 'png',
      preset: 'sam2-amg',
      maxDetections: 100,
    });
  });

  it('rejects out-of-range values and unknown options', () => {
    rejects(SegmentOptionsSchema, { maxDetections: 0 }, /^maxDetections: /);
    rejects(SegmentOptionsSchema, { maxDetections: 1001 }, /^maxDetections: /);
    rejects(SegmentOptionsSchema, { maxDetections: 2.5 }, /^maxDetections: /);
    rejects(SegmentOptionsSchema, { scoreThreshold: 1.5 }, /^scoreThreshold: /);
    rejects(SegmentOptionsSchema, { perClassThresholds: { mug: -0.1 } }, /^perClassThresholds\.mug: /);
    rejects(SegmentOptionsSchema, { maskFormat: 'jpeg' }, /^maskFormat: /);
    rejects(SegmentOptionsSchema, { classes: [] }, /^classes: /);
    rejects(SegmentOptionsSchema, { classes: ['a', 'a'] }, /unique/);
    rejects(SegmentOptionsSchema, { maxDetection: 5 }, /maxDetection/);
    rejects(ProposalPresetSchema, 'amg', /official/);
    rejects(ProposalPresetSchema, 'device-4', /device-16/);
    accepts(SegmentOptionsSchema, { preset: 'device-16' });
    accepts(SegmentOptionsSchema, { preset: 'device-8' });
  });
});

describe('ValidationError.fromZod', () => {
  it('is 400 for shape errors and 422 for rule violations, naming the paths', () => {
    const shape = SegmentOptionsSchema.safeParse({ maxDetections: 'ten' });
    const rule = SegmentOptionsSchema.safeParse({ maxDetections: 5000, perClassThresholds: { mug: 2 } });
    if (shape.success || rule.success) throw new Error('expected failures');
    const e400 = ValidationError.fromZod(shape.error, 'options');
    expect(e400.status).toBe(400);
    expect(e400.field).toBe('options.maxDetections');
    const e422 = ValidationError.fromZod(rule.error);
    expect(e422.status).toBe(422);
    expect(e422.issues.map((i) => i.path).sort()).toEqual(['maxDetections', 'perClassThresholds.mug']);
  });
});
