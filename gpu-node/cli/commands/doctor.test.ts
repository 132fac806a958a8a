// `refseg doctor` as a user runs it (bin/refseg.mjs in a child process) on this machine: CPU only,
// no CUDA provider, stand-in models installed as presets of a presets file.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filledModelDir } from '../../../test/real-graph/fill.ts';
import { runRefseg } from '../../../test/processes.ts';
import { generateStandins } from '../../standin/generate.ts';
import type { PresetInput } from '../../model-store/presets.ts';

const refseg = runRefseg;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('refseg doctor', () => {
  let root: string;
  let env: Record<string, string>;
  let sizes: Record<string, number>;
  let hashes: Record<string, string>;
  let dinoPath: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'refseg-doctor-'));
    const standins = await generateStandins(join(root, 'standins'), { dinoDim: 32 });
    dinoPath = standins.dino;
    const models = join(root, 'models');
    const files: [string, string, string][] = [
      ['standin-sam2', 'encoder.onnx', standins.sam2B.encoder],
      ['standin-sam2', 'decoder.onnx', standins.sam2B.decoder],
      ['standin-dino', 'model.onnx', standins.dino],
    ];
    sizes = {};
    hashes = {};
    for (const [preset, name, from] of files) {
      await mkdir(join(models, preset), { recursive: true });
      await copyFile(from, join(models, preset, name));
      const bytes = await readFile(from);
      sizes[name] = bytes.length;
      hashes[name] = sha(bytes);
    }
    const presets: PresetInput[] = [
      {
        id: 'standin-sam2',
        family: 'sam2',
        title: 'stand-in SAM2 (samexporter layout)',
        repo: 'test/sam2',
        revision: 'r1',
        format: 'samexporter',
        dtype: 'fp32',
        files: [
          { path: 'encoder.onnx', role: 'encoder', size: sizes['encoder.onnx'], sha256: hashes['encoder.onnx'] },
          { path: 'decoder.onnx', role: 'decoder', size: sizes['decoder.onnx'], sha256: hashes['decoder.onnx'] },
        ],
      },
      {
        id: 'standin-dino',
        family: 'dinov2',
        title: 'stand-in DINOv2',
        repo: 'test/dino',
        revision: 'r1',
        format: 'onnx-community',
        dtype: 'fp32',
        // A published hash the file on disk does not have: doctor must call it a problem.
        files: [{ path: 'onnx/model.onnx', role: 'model', size: sizes['model.onnx'], sha256: 'f'.repeat(64) }],
      },
    ];
    await writeFile(join(root, 'presets.json'), JSON.stringify(presets));
    env = { REFSEG_MODELS_DIR: models, REFSEG_PRESETS_FILE: join(root, 'presets.json') };
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prints versions, providers, presets with hashes, a timed smoke run and what to fix', async () => {
    const r = await refseg(['doctor', '--sam2', 'standin-sam2', '--dinov2', 'standin-dino', '--grid', '4'], env);
    const out = r.stdout;
    expect(out).toMatch(/^ {2}Node\.js +v\d+\.\d+\.\d+ \(needs >= 20\.19\) +ok$/m);
    expect(out).toMatch(/^ {2}onnxruntime-node +1\.30\.0 /m);
    expect(out).toMatch(/^ {2}cpu +loads \(probe session \d+ ms\)$/m);
    expect(out).toMatch(/^ {2}cuda +does not load: .*Failed to load shared library$/m);
    expect(out).toMatch(/^ {4}libonnxruntime_providers_cuda\.so +missing$/m);
    expect(out).toContain('  standin-sam2 (sam2, complete)');
    expect(out).toMatch(new RegExp(`^ {4}encoder\\.onnx +[\\d.]+ kB +sha256 ${hashes['encoder.onnx'].slice(0, 16)}… +ok \\(sha256 matches the preset\\)$`, 'm'));
    expect(out).toMatch(/^ {4}model\.onnx .* SHA-256 MISMATCH \(preset: ffffffffffffffff…\)$/m);
    expect(out).toContain('Smoke run: one 640×480 image, cpu, official grid 4×4 = 16 prompts');
    expect(out).toMatch(/^ {2}SAM2: .*standin-sam2 \(samexporter layout, no_mem_embed removed \(.+\)\)$/m);
    for (const stage of ['decode', 'resize1024', 'resize518', 'sam2-encoder', 'dinov2', 'sam2-decoder', 'extract']) {
      expect(out).toMatch(new RegExp(`^ {2}${stage} +1 +\\d+ ms`, 'm'));
    }
    expect(out).toMatch(/^ {2}sam2-decoder +1 +\d+ ms +[\d.]+ ms per prompt$/m);
    expect(out).toMatch(/^ {2}whole image +\d+ ms +\d+ candidates?$/m);
    expect(out).toMatch(/the paper's 1024 prompts would take about [\d.]+ (ms|s) per image here/);
    expect(out).toContain(`[problem] standin-dino: model.onnx is not the preset's file (SHA-256 differs).`);
    expect(out).toContain(`→ rm ${join(env.REFSEG_MODELS_DIR, 'standin-dino', 'model.onnx')} && npx refseg models pull standin-dino`);
    expect(out).toContain('→ npm run install:cuda');
    expect(out).toMatch(/^1 problem, \d+ warnings?\.$/m);
    expect(r.code).toBe(1);
  });

  it('--json: the same report as data; --provider cuda falls back to CPU and makes CUDA a problem', async () => {
    const r = await refseg(['doctor', '--json', '--provider', 'cuda', '--skip-hash', '--sam2', 'standin-sam2', '--dinov2', 'standin-dino', '--grid', '2'], env);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.onnxruntime.version).toBe('1.30.0');
    expect(report.providers.map((p: { provider: string; loaded: boolean }) => [p.provider, p.loaded])).toEqual([
      ['cpu', true],
      ['cuda', false],
    ]);
    expect(report.models.presets.map((p: { id: string }) => p.id)).toEqual(['standin-sam2', 'standin-dino']);
    expect(report.models.presets[0].files.map((f: { verdict: string; bytes: number }) => [f.verdict, f.bytes])).toEqual([
      ['not-hashed', sizes['encoder.onnx']],
      ['not-hashed', sizes['decoder.onnx']],
    ]);
    expect(report.smoke.ran).toBe(true);
    expect(report.smoke.result.provider).toBe('cpu');
    expect(report.smoke.result.fallback).toMatch(/cuda/i);
    expect(report.smoke.result.prompts).toBe(4);
    const severities = report.findings.map((f: { severity: string }) => f.severity);
    expect(severities.length).toBeGreaterThan(0);
    expect(new Set(severities)).toEqual(new Set(['problem']));
    expect(r.code).toBe(1);
  });

  it('with no presets downloaded: no smoke run, and the pull command to fix it', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    const r = await refseg(['doctor'], { REFSEG_MODELS_DIR: empty });
    expect(r.stdout).toContain(`Model presets in ${empty}\n  none downloaded`);
    expect(r.stdout).toContain('Smoke run: not run (sam2.1-hiera-tiny and dinov2-small not downloaded)');
    expect(r.stdout).toContain('[warning] No model preset is downloaded, so there was no smoke run.');
    expect(r.stdout).toContain('→ npx refseg models pull sam2.1-hiera-tiny dinov2-small');
    expect(r.code).toBe(0);
  });

  it('on the real SAM2.1-tiny graph (seeded weights): finds the layout, removes no_mem_embed, times the real encoder', async () => {
    const sam2 = filledModelDir(join(root, 'real-sam2'));
    const r = await refseg(['doctor', '--json', '--skip-hash', '--sam2', sam2, '--dinov2', dinoPath, '--grid', '2'], env);
    const report = JSON.parse(r.stdout);
    expect(report.smoke.ran, r.stdout).toBe(true);
    const s = report.smoke.result;
    expect(s.modelId).toMatch(/^sam2:samexporter:fp32:[0-9a-f]{16}\+dinov2:d32r0:/);
    expect(s.prompts).toBe(4);
    expect(s.sam2).toEqual({ layout: 'samexporter', noMemEmbed: 'removed', noMemEmbedNode: '/Add', promptAxis: 'dynamic' });
    const ms = Object.fromEntries(s.stages.map((st: { stage: string; ms: number }) => [st.stage, st.ms]));
    // The real hiera-tiny encoder costs seconds on CPU; the stand-in's costs milliseconds.
    expect(ms['sam2-encoder']).toBeGreaterThan(500);
    expect(ms['sam2-decoder']).toBeGreaterThan(0);
    expect(s.candidates).toBeGreaterThanOrEqual(0);
  });
});
