// POST /v1/mask-preview of the gpu-node on the scripted pipeline: the answer's shape, the bearer
// check, the prompt validated before the pipeline is called, and its place among the model routes.
import { describe, expect, it } from 'vitest';
import { GpuMaskPreviewResponseSchema } from '../../shared/api/gpu-node.ts';
import { createGpuNodeApp } from './app.ts';
import { FAKE_SIZE, fakePipeline } from './test-pipeline.ts';

const SECRET = 's3cret-token';
const IMAGE = new TextEncoder().encode('bytes the fake pipeline does not decode');

function setup() {
  const pipeline = fakePipeline();
  const node = createGpuNodeApp({ pipeline, secret: SECRET, log: () => {} });
  const post = (prompt: string | null, init: { auth?: boolean; query?: string } = {}) => {
    const form = new FormData();
    form.append('image', new Blob([IMAGE], { type: 'image/png' }), 'x.png');
    if (prompt !== null) form.append('prompt', prompt);
    return node.app.request(`/v1/mask-preview${init.query ?? ''}`, {
      method: 'POST',
      headers: init.auth === false ? {} : { Authorization: `Bearer ${SECRET}` },
      body: form,
    });
  };
  return { pipeline, node, post };
}

describe('POST /v1/mask-preview', () => {
  it('answers the pipeline\'s mask, score and box with the model id and image size', async () => {
    const { pipeline, post } = setup();
    const res = await post(JSON.stringify({ points: [[5, 3, 1], [1, 1, 0]] }));
    expect(res.status).toBe(200);
    const body = GpuMaskPreviewResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ modelId: 'fake-model', ...FAKE_SIZE, orientation: 'applied', score: 0.75, bbox: [4, 2, 3, 3] });
    expect(body.mask.size).toEqual([FAKE_SIZE.height, FAKE_SIZE.width]);
    expect(pipeline.calls).toEqual(['previewMask']);
  });

  it('refuses a missing or malformed prompt before the pipeline runs, and a prompt outside the image after decoding', async () => {
    const { pipeline, post } = setup();
    const missing = await post(null);
    expect(missing.status).toBe(400);
    expect((await missing.json()).field).toBe('prompt');
    const tooMany = await post(JSON.stringify({ points: Array.from({ length: 33 }, () => [1, 1, 1]) }));
    expect(tooMany.status).toBe(422);
    expect((await tooMany.json()).field).toBe('prompt.points');
    expect(pipeline.calls).toEqual([]);
    const outside = await post(JSON.stringify({ box: [4, 2, 5, 5] }));
    expect(outside.status).toBe(422);
    expect(await outside.json()).toMatchObject({ type: 'https://refseg.dev/problems/malformed-box', field: 'prompt.box' });
  });

  it('needs the shared secret, and refuses an unknown exif mode', async () => {
    const { pipeline, post } = setup();
    expect((await post(JSON.stringify({ box: [0, 0, 2, 2] }), { auth: false })).status).toBe(401);
    expect((await post(JSON.stringify({ box: [0, 0, 2, 2] }), { query: '?exif=sideways' })).status).toBe(422);
    expect(pipeline.calls).toEqual([]);
  });
});
