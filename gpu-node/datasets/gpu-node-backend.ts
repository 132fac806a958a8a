// DatasetBackend over a gpu-node's internal API (shared/api/gpu-node.ts), through the same client
// functions the edge uses, with a pool of one node.
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { fetchCandidates, fetchReferenceVectors, probeNode } from '../../shared/api/gpu-node-client.ts';
import { createGpuPool } from '../../shared/api/gpu-node-pool.ts';
import { base64ToBytes, readFloat32LE } from '../../shared/encoding/index.ts';
import { sniffImage } from '../../shared/images/index.ts';
import type { DatasetBackend, ProposalChoice } from './backend.ts';
import { DatasetError } from './errors.ts';

export interface GpuNodeBackendOptions {
  url: string;
  secret: string;
  /** Per call (default 10 minutes: a large image on a CPU node is slow). */
  timeoutMs?: number;
}

function presetOf(proposals: ProposalChoice) {
  if (typeof proposals === 'string') return proposals;
  throw new DatasetError('A gpu-node takes proposal presets by name only; custom proposal settings need local models.');
}

export async function openGpuNodeBackend(options: GpuNodeBackendOptions): Promise<DatasetBackend> {
  const url = options.url.replace(/\/+$/, '');
  const probe = (u: string, signal: AbortSignal) => probeNode(u, options.secret, signal);
  let info;
  try {
    info = await probe(url, AbortSignal.timeout(30_000));
  } catch (err) {
    throw new DatasetError(`The gpu-node ${url} is not usable: ${(err as Error).message}`, { cause: err });
  }
  const pool = createGpuPool({ urls: [url], strategy: 'round-robin', timeoutMs: options.timeoutMs ?? 600_000, healthIntervalMs: 60_000, healthTimeoutMs: 30_000, probe });
  let calls = 0;
  const ctx = () => ({ secret: options.secret, requestId: `refseg-cli-${process.pid}-${++calls}` });
  return {
    where: url,
    modelId: info.modelId,
    dim: info.dim,
    pipelineId(proposals: ProposalChoice) {
      return info.pipelineIds[presetOf(proposals)] ?? presetOf(proposals);
    },
    async referenceVectors(bytes: Uint8Array, annotations: readonly GpuReferenceAnnotation[]) {
      const res = await fetchReferenceVectors(pool, ctx(), {
        image: bytes,
        imageType: sniffImage(bytes).type,
        annotations: [...annotations],
        exif: 'ignore',
        modelId: info.modelId,
      });
      return res.references.map((r) => ({
        vector: readFloat32LE(base64ToBytes(r.vector), 0, res.dim),
        maskSource: r.maskSource,
        ...(r.predictedIou === undefined ? {} : { predictedIou: r.predictedIou }),
      }));
    },
    async candidates(bytes: Uint8Array, proposals: ProposalChoice) {
      const { set } = await fetchCandidates(pool, ctx(), {
        image: bytes,
        imageType: sniffImage(bytes).type,
        preset: presetOf(proposals),
        exif: 'ignore',
        modelId: info.modelId,
      });
      return set;
    },
    close: async () => {},
  };
}
