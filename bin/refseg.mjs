#!/usr/bin/env node
// Starts the TypeScript command-line tool without a build step: tsx's ESM loader compiles the
// .ts modules as they are imported.
import { register } from 'tsx/esm/api';

register();
const { cliMain } = await import('../gpu-node/cli/main.ts');
await cliMain();
