// Model presets: which public ONNX export to fetch, from which hub repository and revision,
// and the exact files (with sizes and SHA-256 where a public source states them).
//
// Sources (see /work/shared/spec/models.md §1–§3 and the report of this module):
// - Pinned revisions, byte sizes and SHA-256 come from third-party manifests that pin the same
//   Hugging Face files (LFS metadata). A size is only given where such a source states it for
//   that very revision; everything else is `null` (unknown) and is then checked against the
//   server's Content-Length only.
// - Files whose existence is not confirmed by any source (the external-data sibling of a
//   quantized variant, the weights file of a > 2 GB export) are marked `optional`: a 404 for
//   them is not an error.
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.ts';
import { UnknownPresetError } from './errors.ts';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
/** A plain file name: what the file is called on disk inside the preset's folder. */
const FileName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'a plain file name (no folders)');
/** A path inside a hub repository (`onnx/model.onnx`), never escaping it. */
const RepoPath = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/, 'a relative path inside the repository');

/** What a file is to the model loader (gpu-node/models). */
export const FileRoleSchema = z.enum(['encoder', 'decoder', 'model', 'external-data']);
export type FileRole = z.infer<typeof FileRoleSchema>;

export const ArchiveMemberSchema = z.object({
  /** Base name of the member; it is looked for in any folder of the archive. */
  name: FileName,
  role: FileRoleSchema,
});
export type ArchiveMember = z.infer<typeof ArchiveMemberSchema>;

export const PresetFileSchema = z.object({
  path: RepoPath,
  /** Exact byte size, or null when no source states it. */
  size: z.number().int().positive().nullable(),
  sha256: Sha256Hex.optional(),
  /** Role of the file itself; archives carry `extract` instead. */
  role: FileRoleSchema.optional(),
  /** Existence not confirmed by any source: a 404 is tolerated. */
  optional: z.boolean().default(false),
  /** The file is a zip archive: these members are extracted and the archive is removed. */
  extract: z.array(ArchiveMemberSchema).min(1).optional(),
});
export type PresetFile = z.infer<typeof PresetFileSchema>;

export const DtypeSchema = z.enum(['fp32', 'fp16', 'int8', 'uint8', 'quantized', 'q4', 'q4f16', 'bnb4']);
export type Dtype = z.infer<typeof DtypeSchema>;

export const PresetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case id of letters, digits, ".", "_" and "-"'),
    family: z.enum(['sam2', 'dinov2']),
    title: z.string().min(1),
    /** Hub repository `owner/name`. */
    repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
    /** Branch or commit; pinned commits where the sizes were read for that commit. */
    revision: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    /**
     * Tensor layout family: `onnx-community` (transformers.js exports: SAM2 format A and all
     * DINOv2) or `samexporter` (SAM2 format B), see spec/models.md §1.3–§1.4.
     */
    format: z.enum(['onnx-community', 'samexporter']),
    dtype: DtypeSchema,
    /** DINOv2 hidden size D. */
    dim: z.number().int().positive().optional(),
    /** DINOv2 register tokens R (0 or 4). */
    registers: z.number().int().min(0).optional(),
    /** Other repositories publishing the same files, named in manual-download instructions. */
    mirrors: z.array(z.string()).default([]),
    files: z.array(PresetFileSchema).min(1),
  })
  .superRefine((preset, ctx) => {
    const seen = new Set<string>();
    for (const { name } of entries(preset)) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['files'], message: `two files would both be stored as "${name}"` });
      seen.add(name);
    }
    preset.files.forEach((file, i) => {
      if ((file.role === undefined) === (file.extract === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['files', i], message: 'a file has either a role or an extract list' });
      }
    });
    const roles = new Set(entries(preset).map((e) => e.role));
    const needed: FileRole[] = preset.family === 'sam2' ? ['encoder', 'decoder'] : ['model'];
    for (const role of needed) {
      if (!roles.has(role)) ctx.addIssue({ code: 'custom', path: ['files'], message: `a ${preset.family} preset needs a "${role}" file` });
    }
  });
export type Preset = z.output<typeof PresetSchema>;
export type PresetInput = z.input<typeof PresetSchema>;

/** One file as it ends up on disk in `<dir>/<preset>/`. */
export interface LocalEntry {
  name: string;
  role: FileRole;
  /** Known exact size on disk (archive members: unknown). */
  size: number | null;
  optional: boolean;
  /** The preset file it comes from (itself, or the archive holding it). */
  source: PresetFile;
}

/** The file name a preset file is stored under: the last segment of its repository path. */
export function localName(file: Pick<PresetFile, 'path'>): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}

/** Every file the loader will find in the preset's folder once it is complete. */
export function entries(preset: Pick<Preset, 'files'>): LocalEntry[] {
  return preset.files.flatMap((f): LocalEntry[] => {
    if (f.extract) return f.extract.map((m) => ({ name: m.name, role: m.role, size: null, optional: f.optional, source: f }));
    return [{ name: localName(f), role: f.role!, size: f.size, optional: f.optional, source: f }];
  });
}

/** Sum of the known download sizes, and whether every size is known. */
export function downloadSize(preset: Preset): { bytes: number; exact: boolean } {
  let bytes = 0;
  let exact = true;
  for (const f of preset.files) {
    if (f.size === null) exact = false;
    else bytes += f.size;
  }
  return { bytes, exact };
}

// ---- the table ---------------------------------------------------------------------------

interface Known {
  size: number | null;
  sha256?: string;
}
const UNKNOWN: Known = { size: null };

const SUFFIX: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  quantized: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

type Sam2Size = 'tiny' | 'small' | 'base-plus' | 'large';

/** Known files of a format-A SAM2 export: encoder graph, its data, decoder graph, its data. */
type Sam2Files = [encoder: Known, encoderData: Known, decoder: Known, decoderData: Known];

interface Sam2Variant {
  dtype: Dtype;
  revision?: string;
  files?: Sam2Files;
  /** The `.onnx_data` siblings are not confirmed for this variant. */
  dataUnconfirmed?: boolean;
}

function onnxFile(path: string, role: FileRole, known: Known, optional = false): PresetInput['files'][number] {
  return { path, role, size: known.size, ...(known.sha256 ? { sha256: known.sha256 } : {}), optional };
}

/** SAM2.x in the onnx-community (transformers.js) layout: format A. */
function sam2FormatA(version: '2' | '2.1', size: Sam2Size, v: Sam2Variant, mirrors: string[] = []): PresetInput {
  const s = SUFFIX[v.dtype];
  const [enc, encData, dec, decData] = v.files ?? [UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN];
  const optionalData = v.dataUnconfirmed ?? false;
  return {
    id: `sam${version}-hiera-${size}${v.dtype === 'fp32' ? '' : `-${v.dtype}`}`,
    family: 'sam2',
    title: `SAM ${version} Hiera ${size}, onnx-community export (format A), ${v.dtype}`,
    repo: `onnx-community/sam${version}-hiera-${size}-ONNX`,
    revision: v.revision ?? 'main',
    format: 'onnx-community',
    dtype: v.dtype,
    mirrors,
    files: [
      onnxFile(`onnx/vision_encoder${s}.onnx`, 'encoder', enc),
      onnxFile(`onnx/vision_encoder${s}.onnx_data`, 'external-data', encData, optionalData),
      onnxFile(`onnx/prompt_encoder_mask_decoder${s}.onnx`, 'decoder', dec),
      onnxFile(`onnx/prompt_encoder_mask_decoder${s}.onnx_data`, 'external-data', decData, optionalData),
    ],
  };
}

/** SAM 2.1 from vietanhdev's samexporter (format B): one zip per size holding encoder and decoder. */
function sam21Samexporter(size: Sam2Size, revision = 'main'): PresetInput {
  const stem = `sam2.1_hiera_${size.replace('-', '_')}`;
  return {
    id: `sam2.1-hiera-${size}-samexporter`,
    family: 'sam2',
    title: `SAM 2.1 Hiera ${size}, samexporter export (format B, zip), fp32`,
    repo: 'vietanhdev/segment-anything-2.1-onnx-models',
    revision,
    format: 'samexporter',
    dtype: 'fp32',
    files: [
      {
        path: `${stem}_20260221.zip`,
        size: null,
        extract: [
          { name: `${stem}.encoder.onnx`, role: 'encoder' },
          { name: `${stem}.decoder.onnx`, role: 'decoder' },
        ],
      },
    ],
  };
}

const DINOV2_DIM = { small: 384, base: 768, large: 1024, giant: 1536 } as const;
type Dinov2Size = keyof typeof DINOV2_DIM;

interface Dinov2Variant {
  dtype: Dtype;
  revision?: string;
  known?: Known;
  /** Weights too large for one protobuf (> 2 GB) live in `model.onnx_data`, name not confirmed. */
  externalData?: boolean;
}

function dinov2(size: Dinov2Size, registers: boolean, v: Dinov2Variant, mirrors: string[] = []): PresetInput {
  const name = `dinov2-${registers ? 'with-registers-' : ''}${size}`;
  const s = SUFFIX[v.dtype];
  return {
    id: `${name}${v.dtype === 'fp32' ? '' : `-${v.dtype}`}`,
    family: 'dinov2',
    title: `DINOv2 ${size}${registers ? ' with registers' : ''}, onnx-community export, ${v.dtype}`,
    repo: `onnx-community/${name}`,
    revision: v.revision ?? 'main',
    format: 'onnx-community',
    dtype: v.dtype,
    dim: DINOV2_DIM[size],
    registers: registers ? 4 : 0,
    mirrors,
    files: [
      onnxFile(`onnx/model${s}.onnx`, 'model', v.known ?? UNKNOWN),
      ...(v.externalData ? [onnxFile(`onnx/model${s}.onnx_data`, 'external-data', UNKNOWN, true)] : []),
    ],
  };
}

// Revisions whose file sizes/hashes public manifests pin.
const SAM21_TINY_REV = '814a066640debee5a91e70aa401fb8e17e030503';
const SAM21_SMALL_REV = 'a7df49d8de14b9d2e4504d1687b0d568f905fd8d';
const SAM21_BASE_PLUS_REV = 'bab18593f44e652f04cf18b60b3690f60e8996b0';
const SAM21_LARGE_REV = '3c23431f721e69cae82dbfd0c28fd692cc714021';
const DINOV2_SMALL_REV = '8b1f705a3a7f6f062f6bdd21986c1583d3ef105d';
const DINOV2_BASE_REV = '31ef06cac16d5d301c5930d147002a058c85a5e4';
const DINOV2_REG_SMALL_REV = 'ec7abea1a8757ec4f9f7b26399d31234ffaa6e6a';

/** transformers.js dtypes other than fp32 that spec/models.md §1.1 lists for the tiny/small repos. */
const SAM21_LISTED_DTYPES: Dtype[] = ['fp16', 'int8', 'uint8', 'quantized', 'q4', 'q4f16', 'bnb4'];

const RAW_PRESETS: PresetInput[] = [
  // ---- SAM 2.1, format A (onnx-community) ----
  sam2FormatA(
    '2.1',
    'tiny',
    {
      dtype: 'fp32',
      revision: SAM21_TINY_REV,
      files: [
        { size: 354_238, sha256: '4f30aacd3aaefbca81a0b7fe4c1fc96345570ea0a6f80ced599493d1b3be2e8c' },
        { size: 134_084_864, sha256: 'e83df9866a5afe68ea7f0f721f18f65137fc3acbf0da1c74e946d363e09c69cc' },
        { size: 213_114, sha256: '874414704c5d686db7d206a35f6e15d26563d50c8c4468fccc6739bd7e491dcf' },
        { size: 20_958_208, sha256: 'e9874d900dd4134ed60eab1e97910327c2419e0b2954485d8fd6e7f1a1470f47' },
      ],
    },
    ['imagingforgood/sam2.1-hiera-tiny-onnx'],
  ),
  ...SAM21_LISTED_DTYPES.map((dtype) =>
    dtype === 'quantized'
      ? sam2FormatA('2.1', 'tiny', {
          dtype,
          revision: SAM21_TINY_REV,
          files: [
            { size: 441_167, sha256: '8800fdd04b9045cb6060ba8962b83c78ce9bb0976da8f030afa073467a888524' },
            { size: 52_573_088, sha256: 'ea1f677596dc82cef0dc317d78135d892f4b26e20a4439f899aa58d84965b324' },
            { size: 290_416 },
            { size: 8_662_016 },
          ],
        })
      : sam2FormatA('2.1', 'tiny', { dtype, dataUnconfirmed: dtype !== 'fp16' }),
  ),
  sam2FormatA('2.1', 'small', {
    dtype: 'fp32',
    revision: SAM21_SMALL_REV,
    files: [
      { size: 467_440, sha256: 'aacf1f7137bb6fffcf6bf166abcfabe28f57a76059254f3fb611c4a64a208119' },
      { size: 162_476_288, sha256: '260fd1f0a34e72a3dc79a739e563b4facc0ba75504818b433a1f808e66637456' },
      { size: 213_114, sha256: '079c59b261f723ff5c6a125e69b0170a957b21c58738c28d2b0394ecd0587d7f' },
      { size: 20_958_208, sha256: 'f9e59a584ab8ced21fa812c211bc01084204db1c9e92a5ef4fb3a49972b4e864' },
    ],
  }),
  ...SAM21_LISTED_DTYPES.map((dtype) => sam2FormatA('2.1', 'small', { dtype, dataUnconfirmed: dtype !== 'fp16' })),
  sam2FormatA('2.1', 'base-plus', {
    dtype: 'fp32',
    revision: SAM21_BASE_PLUS_REV,
    files: [
      { size: 702_836, sha256: '6fd992cf796e6ad5a29f3b92a127f2ce33f7f320d63c8b3f02bf3775f5f692f4' },
      { size: 305_746_496, sha256: 'f8a5f1b14d02eb7ed3b3576ad6774b8ebcfef6cc20674d5f316d6144c60a08a5' },
      { size: 213_114, sha256: 'f39eeec20243ed1c8f2cd013812e77813d937ddbc800fa4bc703761adc7e63cd' },
      { size: 20_958_208, sha256: '445cd3f72a218815db10e336f4f1c46a6eb2713a0160a85af5365134607f32a7' },
    ],
  }),
  sam2FormatA('2.1', 'base-plus', {
    dtype: 'fp16',
    revision: SAM21_BASE_PLUS_REV,
    files: [
      { size: 643_078, sha256: 'cb9324a431bfb78c70e4ead1ffb80766e236b50decd55c236c8eada4f0afde96' },
      { size: 152_780_640, sha256: '78be422d399181ce3af00130409ebe32eb5b95825e7fe290440fbfaac70b99b4' },
      { size: 229_799, sha256: '3c303a6ee7359bfd56dd767f69ce46948d0ce47465ad0396281d533dca3bc422' },
      { size: 10_454_016, sha256: '5f49783081ae45a100b62931ae02f362fd15702abf6a51e993353bc3a92618c0' },
    ],
  }),
  sam2FormatA('2.1', 'base-plus', {
    dtype: 'quantized',
    revision: SAM21_BASE_PLUS_REV,
    files: [
      { size: 861_193, sha256: 'dadc94ee17c53bd55d98d15836cdd7d9d7eb80162d4b8bbcbd10e1a5dfeff50e' },
      { size: 98_862_416, sha256: 'ecef22cbdb519a7e153b7e4ddec37e64404229d38f5190bf76db20775c003a79' },
      UNKNOWN,
      UNKNOWN,
    ],
  }),
  sam2FormatA('2.1', 'large', {
    dtype: 'fp32',
    revision: SAM21_LARGE_REV,
    files: [
      { size: 1_350_487, sha256: 'ad3a8161c6bd6d8beea811300c60e20d626035feaa3c19622ace27b22e25bec8' },
      { size: 888_587_456, sha256: '88c501a65b6aaeac99b65a275f3f559727404283930d107d499fda8714ba7e5a' },
      { size: 213_114, sha256: 'a21b3b09f6e5f5838d630d92a150914ca58f8f58b603b8f53fc32b03da982203' },
      { size: 20_958_208, sha256: 'bfdcd4f7ee04298a82fe1aaf1bd7b8edf544d36901e1a886f01892fb915bd63c' },
    ],
  }),
  sam2FormatA('2.1', 'large', { dtype: 'fp16' }),

  // ---- SAM 2.1, format B (samexporter zips) ----
  sam21Samexporter('tiny', '6a3ac868340a3196a349050a6efae22a5acc0330'),
  sam21Samexporter('small'),
  sam21Samexporter('base-plus'),
  sam21Samexporter('large'),

  // ---- SAM 2.0 ----
  sam2FormatA('2', 'tiny', { dtype: 'fp32', dataUnconfirmed: true }),
  {
    id: 'sam2-hiera-large-samexporter',
    family: 'sam2',
    title: 'SAM 2 Hiera large, samexporter export (format B), fp32',
    repo: 'vietanhdev/segment-anything-2-onnx-models',
    revision: 'main',
    format: 'samexporter',
    dtype: 'fp32',
    files: [
      { path: 'sam2_hiera_large.encoder.onnx', role: 'encoder', size: null },
      { path: 'sam2_hiera_large.decoder.onnx', role: 'decoder', size: null },
    ],
  },

  // ---- DINOv2 (onnx-community; Xenova publishes the fp32/fp16/quantized files of S/B/L too) ----
  dinov2(
    'small',
    false,
    {
      dtype: 'fp32',
      revision: DINOV2_SMALL_REV,
      known: { size: 88_532_934, sha256: 'f22797eabf810a75e41de68d378541ebea372122b25c4ce3ef25ff618250c20a' },
    },
    ['Xenova/dinov2-small'],
  ),
  dinov2('small', false, { dtype: 'fp16' }, ['Xenova/dinov2-small']),
  dinov2('small', false, { dtype: 'quantized' }, ['Xenova/dinov2-small']),
  dinov2('small', false, {
    dtype: 'int8',
    revision: DINOV2_SMALL_REV,
    known: { size: 24_446_700, sha256: 'dfce54a839b491f395c516350ebb4a78f947e9170a6beac0f2bc5638e0f09d61' },
  }),
  ...(['uint8', 'q4', 'q4f16', 'bnb4'] as const).map((dtype) => dinov2('small', false, { dtype })),
  dinov2(
    'base',
    false,
    {
      dtype: 'fp32',
      revision: DINOV2_BASE_REV,
      known: { size: 346_627_111, sha256: '320d1012a6fc65b101fc85ca30ee7a47b2e4f6a2e8bd78fb9d7036def0e30cb0' },
    },
    ['Xenova/dinov2-base'],
  ),
  ...(['fp16', 'quantized'] as const).map((dtype) => dinov2('base', false, { dtype }, ['Xenova/dinov2-base'])),
  ...(['fp32', 'fp16', 'quantized'] as const).map((dtype) => dinov2('large', false, { dtype }, ['Xenova/dinov2-large'])),
  dinov2('small', true, {
    dtype: 'fp32',
    revision: DINOV2_REG_SMALL_REV,
    known: { size: null, sha256: '815e440d222e60294bb5b165491c4760e7f08dc7ecd2488a5450e93d50887efe' },
  }),
  ...(['fp16', 'quantized', 'q4', 'q4f16', 'bnb4'] as const).map((dtype) => dinov2('small', true, { dtype })),
  ...(['fp32', 'uint8'] as const).map((dtype) => dinov2('base', true, { dtype })),
  ...(['fp32', 'fp16', 'quantized', 'q4', 'q4f16', 'bnb4'] as const).map((dtype) => dinov2('large', true, { dtype })),
  dinov2('giant', true, { dtype: 'fp32', externalData: true }),
];

/** Parses and checks a list of presets (built-in or from a user's file): valid, unique ids. */
export function parsePresets(raw: unknown, source = 'presets'): Preset[] {
  const parsed = z.array(PresetSchema).safeParse(raw);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, source);
  const ids = new Set<string>();
  for (const p of parsed.data) {
    if (ids.has(p.id)) throw new ValidationError([{ path: source, message: `duplicate preset id "${p.id}"`, code: 'custom' }]);
    ids.add(p.id);
  }
  return parsed.data;
}

export const PRESETS: readonly Preset[] = parsePresets(RAW_PRESETS, 'built-in presets');

/** Smallest SAM 2.1 and DINOv2 small: what a fresh install pulls. */
export const DEFAULT_PRESETS = { sam2: 'sam2.1-hiera-tiny', dinov2: 'dinov2-small' } as const;

/** Looks a preset up by id among `presets` (default: the built-in table). */
export function getPreset(id: string, presets: readonly Preset[] = PRESETS): Preset {
  const found = presets.find((p) => p.id === id);
  if (!found) throw new UnknownPresetError(id, presets.map((p) => p.id));
  return found;
}

