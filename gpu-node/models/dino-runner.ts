// DINOv2 session of one worker thread. The official pipeline runs DINOv2 at 518×518 (37×37
// patches of 14 px, spec/method.md §3.2) and uses the last-layer normalised patch tokens, so the
// export must accept 518×518: dynamic height/width, or fixed at exactly 518. Register tokens
// (0 for plain DINOv2, 4 for "with registers") are counted from the output: 1 + R + 37². Any
// other count means another patch size (a patch-7 or patch-12 ViT gives 74² or 43² patches at
// 518) whose tokens would be read as the wrong grid, giving wrong detections: refused at load.
import { floatData, floatTensor, inputShape, openSession, type Provider, type Session, type SessionSettings } from './backend.ts';
import { ModelFormatError, ModelInputError } from './errors.ts';
import type { GraphFile } from './graph-source.ts';

export const DINO_SIZE = 518;
export const DINO_GRID = 37;
const PATCHES = DINO_GRID * DINO_GRID;
const INPUT_VALUES = 3 * DINO_SIZE * DINO_SIZE;
/** Register tokens of the DINOv2 families refseg supports. */
export const DINO_REGISTER_COUNTS: readonly number[] = [0, 4];

export interface DinoInfo {
  path: string;
  /** Hidden size D. */
  dim: number;
  /** Register tokens between CLS and the patch tokens. */
  registers: number;
  /** The export's declared input size: symbolic, or fixed at 518. */
  inputSize: 'dynamic' | typeof DINO_SIZE;
  provider: Provider;
  fallbackReason?: string;
}

const INPUT = 'pixel_values';
const OUTPUT = 'last_hidden_state';

export class DinoRunner {
  private constructor(
    private readonly session: Session,
    readonly info: DinoInfo,
  ) {}

  /** `file`: a path, or the graph already in memory (a browser). */
  static async open(file: string | GraphFile, settings: SessionSettings): Promise<DinoRunner> {
    const path = typeof file === 'string' ? file : file.where;
    const opened = await openSession(typeof file === 'string' ? { model: file } : file.source, settings);
    const { session } = opened;
    if (!session.inputNames.includes(INPUT) || !session.outputNames.includes(OUTPUT)) {
      throw new ModelFormatError(
        `${path}: not a DINOv2 export; inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]; ` +
          `expected input "${INPUT}" and output "${OUTPUT}".`,
      );
    }
    const shape = inputShape(session, INPUT);
    const [h, w] = [shape?.[2], shape?.[3]];
    const fixed = typeof h === 'number' || typeof w === 'number';
    if (fixed && (h !== DINO_SIZE || w !== DINO_SIZE)) {
      throw new ModelFormatError(
        `${path}: DINOv2 export has a fixed ${h}×${w} input; refseg runs DINOv2 at ${DINO_SIZE}×${DINO_SIZE} ` +
          `(${DINO_GRID}×${DINO_GRID} patches, as the official pipeline). Use an export with dynamic height/width or one fixed at ${DINO_SIZE}.`,
      );
    }
    // One run at the working size gives D and R whatever the metadata declares (and warms up).
    const probe = (await session.run({ [INPUT]: floatTensor(new Float32Array(INPUT_VALUES), [1, 3, DINO_SIZE, DINO_SIZE]) }))[OUTPUT];
    const [, tokens, dim] = probe.dims;
    const registers = tokens - 1 - PATCHES;
    if (probe.dims.length !== 3) {
      throw new ModelFormatError(
        `${path}: ${OUTPUT} at ${DINO_SIZE}×${DINO_SIZE} has shape [${probe.dims.join(', ')}]; expected [1, 1 + R + ${PATCHES}, D].`,
      );
    }
    if (!DINO_REGISTER_COUNTS.includes(registers)) {
      const expected = DINO_REGISTER_COUNTS.map((r) => `${1 + r + PATCHES} (R = ${r})`).join(' or ');
      throw new ModelFormatError(
        `${path}: ${OUTPUT} at ${DINO_SIZE}×${DINO_SIZE} has ${tokens} tokens; expected 1 + R + ${DINO_GRID}² = ${expected}. ` +
          `refseg needs a patch-14 DINOv2 (${DINO_GRID}×${DINO_GRID} patches at ${DINO_SIZE}); another patch size or register count would read the wrong grid.`,
      );
    }
    const info: DinoInfo = {
      path,
      dim,
      registers,
      inputSize: fixed ? DINO_SIZE : 'dynamic',
      provider: opened.provider,
      ...(opened.fallbackReason === undefined ? {} : { fallbackReason: opened.fallbackReason }),
    };
    return new DinoRunner(session, info);
  }

  /** pixels: 3×518×518 ImageNet-normalised CHW → 37·37 patch tokens × D, row-major. */
  async patchFeatures(pixels: Float32Array): Promise<Float32Array> {
    if (pixels.length !== INPUT_VALUES) throw new ModelInputError(`DINOv2 input must be 3×518×518 floats, got ${pixels.length}`);
    const out = (await this.session.run({ [INPUT]: floatTensor(pixels, [1, 3, DINO_SIZE, DINO_SIZE]) }))[OUTPUT];
    const { dim, registers } = this.info;
    const first = (1 + registers) * dim;
    return floatData(out).slice(first, first + PATCHES * dim);
  }
}
