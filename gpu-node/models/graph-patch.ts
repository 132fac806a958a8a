// Helpers for patching exported graphs at load time (decoder-clip.ts, no-mem-embed.ts).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Ops that only move data around: a walk back from an output passes through their first input. */
export const LAYOUT_OPS: ReadonlySet<string> = new Set(['Reshape', 'Transpose', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

// Format-A exports keep their weights in a `.onnx_data` sibling; a patched graph loaded from
// memory still needs those files.

/** The `location`s of the graph's external initializers, relative to the model's folder. */
export function externalDataFiles(graph: onnxProto.onnx.IGraphProto): string[] {
  const files = new Set<string>();
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
    if (location) files.add(location);
  }
  return [...files];
}
