// TestScenes across a process boundary (bytes as base64): the Node side makes them with sharp,
// the Deno driver reads them without it.
import { base64ToBytes, bytesToBase64 } from '../../../shared/encoding/index.ts';
import type { TestImage, TestScenes } from './scenes.ts';

type Encoded<T> = { [K in keyof T]: T[K] extends Uint8Array ? string : T[K] extends TestImage ? Encoded<TestImage> : T[K] };

export function scenesToJson(scenes: TestScenes): Encoded<TestScenes> {
  const image = (i: TestImage) => ({ ...i, bytes: bytesToBase64(i.bytes) });
  return {
    reference: image(scenes.reference),
    reference2: image(scenes.reference2),
    target: image(scenes.target),
    target2: image(scenes.target2),
    bmp: bytesToBase64(scenes.bmp),
    large: bytesToBase64(scenes.large),
  };
}

export function scenesFromJson(json: Encoded<TestScenes>): TestScenes {
  const image = (i: Encoded<TestImage>): TestImage => ({ ...i, bytes: base64ToBytes(i.bytes) });
  return {
    reference: image(json.reference),
    reference2: image(json.reference2),
    target: image(json.target),
    target2: image(json.target2),
    bmp: base64ToBytes(json.bmp),
    large: base64ToBytes(json.large),
  };
}
