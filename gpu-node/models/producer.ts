// Who wrote an ONNX file, read from its first bytes: exporters (PyTorch's C++ protobuf and the
// stand-in generator alike) write ModelProto's scalar header fields — ir_version (1),
// producer_name (2), … — before the graph (7), so a 4 KiB read answers it even for a
// multi-gigabyte encoder, without parsing the graph. (node:fs is loaded by producerName only: a
// browser reads the header from bytes it holds.)

/** producer_name of the project's own stand-in models (gpu-node/standin/onnx-graph.ts). */
export const STANDIN_PRODUCER = 'refseg-standin';

const HEAD_BYTES = 4096;
const PRODUCER_NAME_FIELD = 2;
const GRAPH_FIELD = 7;

function varint(bytes: Uint8Array, at: number): [value: number, next: number] | null {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if ((bytes[i] & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  return null;
}

/** producer_name in the header of a serialized ModelProto; null when absent or unreadable. */
export function producerNameOf(head: Uint8Array): string | null {
  let at = 0;
  while (at < head.length) {
    const tag = varint(head, at);
    if (!tag) return null;
    const [key, afterTag] = tag;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === GRAPH_FIELD) return null;
    if (wire === 0) {
      const v = varint(head, afterTag);
      if (!v) return null;
      at = v[1];
    } else if (wire === 2) {
      const len = varint(head, afterTag);
      if (!len) return null;
      const [length, start] = len;
      if (field === PRODUCER_NAME_FIELD) return start + length <= head.length ? new TextDecoder().decode(head.subarray(start, start + length)) : null;
      at = start + length;
    } else {
      return null;
    }
  }
  return null;
}

export async function producerName(path: string): Promise<string | null> {
  const { open } = await import('node:fs/promises');
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await file.read(head, 0, HEAD_BYTES, 0);
    return producerNameOf(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** Whether any of the files is a stand-in model (its results then mean nothing on real photos). */
export async function anyStandin(paths: readonly string[]): Promise<boolean> {
  const names = await Promise.all(paths.map((p) => producerName(p).catch(() => null)));
  return names.includes(STANDIN_PRODUCER);
}
