// Files the browser's on-device engine fetches from the edge itself: the model folder
// (REFSEG_DEVICE_MODELS_DIR, with the manifest.json gpu-node/model-store/device-models.ts writes)
// and onnxruntime-web's WASM binaries. Only a runtime with a file system provides them (the Node
// adapter, files.node.ts); a Worker cannot hold a 14 MB binary, so there the URLs are configured
// instead (REFSEG_DEVICE_MODELS_URL, REFSEG_DEVICE_WASM_URL).
export interface DeviceFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

export interface DeviceFileSource {
  /** Whether a models folder is set (REFSEG_DEVICE_MODELS_DIR). */
  readonly hasModels: boolean;
  /** `manifest.json` or a file it names; null for any other name, or when no folder is set. */
  model(name: string): Promise<DeviceFile | null>;
  /** One of onnxruntime-web's WASM binaries; null for any other name. */
  runtime(name: string): Promise<DeviceFile | null>;
}

/** The binaries the engine's two worker builds load (web/build.ts DEVICE_WORKERS). */
export const DEVICE_RUNTIME_FILES: readonly string[] = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.wasm'];
