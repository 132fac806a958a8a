// POST /v1/candidates: image → candidate set, binary wire format (default) or JSON.
import type { Hono } from 'hono';
import { CandidatesQuerySchema, GPU_NODE_PATHS, ORIENTATION_HEADER } from '../../../shared/api/gpu-node.ts';
import { CANDIDATE_SET_MEDIA_TYPE, candidateSetToJson, encodeCandidateSet } from '../../../shared/wire/index.ts';
import type { NodeEnv } from '../env.ts';
import { query, readUpload } from '../request-body.ts';
import type { RouteDeps } from './deps.ts';

export function candidatesRoute(app: Hono<NodeEnv>, deps: RouteDeps): void {
  app.post(GPU_NODE_PATHS.candidates, async (c) => {
    const q = query(c, CandidatesQuerySchema);
    const pipeline = deps.state.require();
    const { image } = await readUpload(c);
    const { set, orientation } = await pipeline.candidates(image, { proposals: q.preset, exif: q.exif, ...deps.imageOptions });
    c.header(ORIENTATION_HEADER, orientation);
    if (q.format === 'json') return c.json(candidateSetToJson(set));
    return c.body(encodeCandidateSet(set) as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': CANDIDATE_SET_MEDIA_TYPE });
  });
}
