// Every `refseg` command. To add one, write its module here (see ../command.ts) and list it.
import type { Command } from '../command.ts';
import { bankBuild } from './bank-build.ts';
import { doctor } from './doctor.ts';
import { draw } from './draw.ts';
import { evalCommand } from './eval.ts';
import { modelsList } from './models-list.ts';
import { modelsPull } from './models-pull.ts';
import { sample } from './sample.ts';
import { segment } from './segment.ts';
import { serveGpu } from './serve-gpu.ts';

export const COMMANDS: readonly Command[] = [modelsList, modelsPull, segment, serveGpu, sample, bankBuild, evalCommand, draw, doctor];
