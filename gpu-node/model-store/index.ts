// Public entry of the model store: presets, where files live, download, listing.
export { DEFAULT_PRESETS, PRESETS, PresetSchema, PresetFileSchema, downloadSize, entries, getPreset, localName, parsePresets } from './presets.ts';
export type { Dtype, FileRole, LocalEntry, Preset, PresetFile, PresetInput } from './presets.ts';
export { loadPresets } from './presets-file.ts';
export { DEFAULT_HUB_URL, fileUrl, hubUrl, modelsDir, presetDir, presetPaths } from './locations.ts';
export { manualSteps, pullPreset } from './download.ts';
export type { PullEvent, PullOptions, PullResult, PulledFile } from './download.ts';
export { listModels, presetStatus } from './list.ts';
export type { FileState, FileStatus, PresetState, PresetStatus } from './list.ts';
export * from './errors.ts';
