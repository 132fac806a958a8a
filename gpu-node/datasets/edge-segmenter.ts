// ImageSegmenter over a remote edge's public API: the bank file is imported as a temporary bank,
// each image goes to POST /v1/banks/{id}/segment (EXIF ignored, masks as RLE), and the bank is
// deleted when the run ends.
import { BankViewSchema, SegmentResponseSchema } from '../../shared/api/edge.ts';
import { bytesToHex } from '../../shared/encoding/index.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/errors.ts';
import { sniffImage } from '../../shared/images/index.ts';
import type { BankFile, SegmentOptionsInput } from '../../shared/schemas.ts';
import { DatasetError } from './errors.ts';
import type { ImageSegmenter } from './segmenter.ts';

export interface EdgeSegmenterOptions {
  url: string;
  apiKey: string;
  bank: BankFile;
  /** `classes`, `maskFormat` and `semantic` are set here. */
  options: Omit<SegmentOptionsInput, 'classes' | 'maskFormat' | 'semantic'>;
  /** Attempts of a call the edge answers 429 or 503 (default 5), waiting as Retry-After says (at most 30 s). */
  attempts?: number;
}

async function problemDetail(res: Response): Promise<string> {
  const type = res.headers.get('Content-Type') ?? '';
  if (type.startsWith(PROBLEM_CONTENT_TYPE) || type.startsWith('application/json')) {
    try {
      const body = (await res.json()) as { detail?: unknown; title?: unknown };
      if (typeof body.detail === 'string') return body.detail;
    } catch {
      // fall through to the status line
    }
  } else {
    await res.body?.cancel();
  }
  return res.statusText || 'no detail';
}

export async function openEdgeSegmenter(options: EdgeSegmenterOptions): Promise<ImageSegmenter> {
  const base = options.url.replace(/\/+$/, '');
  const attempts = options.attempts ?? 5;
  const auth = { Authorization: `Bearer ${options.apiKey}` };

  async function call(what: string, path: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(base + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
      } catch (err) {
        throw new DatasetError(`The edge ${base} cannot be reached (${what}): ${(err as Error).message}`, { cause: err });
      }
      if (res.ok) return res;
      if ((res.status === 429 || res.status === 503) && attempt < attempts) {
        await res.body?.cancel();
        const wait = Math.min(30, Number(res.headers.get('Retry-After')) || 1);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      throw new DatasetError(`The edge answered ${res.status} to ${what}: ${await problemDetail(res)}`);
    }
  }

  const bankId = `refseg-eval-${bytesToHex(crypto.getRandomValues(new Uint8Array(6)))}`;
  const imported = BankViewSchema.safeParse(
    await (
      await call('the bank import', `/v1/banks/import?${new URLSearchParams({ id: bankId, name: options.bank.name ?? 'refseg eval' })}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.bank),
      })
    ).json(),
  );
  if (!imported.success) throw new DatasetError(`The edge's answer to the bank import is not a bank: ${imported.error.message}`);
  const labels = new Map(imported.data.classes.map((c) => [c.name, c.label]));
  const query = new URLSearchParams({ exif: 'ignore', options: JSON.stringify({ ...options.options, maskFormat: 'rle' }) });

  return {
    identity: { via: 'edge', options: options.options },
    async segment(bytes) {
      const res = await call('a segment request', `/v1/banks/${bankId}/segment?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': sniffImage(bytes).type },
        body: bytes as BodyInit,
      });
      const parsed = SegmentResponseSchema.safeParse(await res.json());
      if (!parsed.success) throw new DatasetError(`The edge's segment answer is malformed: ${parsed.error.message}`);
      const r = parsed.data;
      return {
        width: r.width,
        height: r.height,
        cached: r.cache === 'hit',
        detections: r.detections.map((d) => {
          if (!('counts' in d.mask)) throw new DatasetError('The edge sent a mask that is not RLE.');
          return { label: labels.get(d.class) ?? d.label, score: d.score, bbox: d.bbox, mask: { size: d.mask.size, counts: d.mask.counts } };
        }),
      };
    },
    async close() {
      await (await call('the deletion of the temporary bank', `/v1/banks/${bankId}`, { method: 'DELETE' })).body?.cancel();
    },
  };
}
