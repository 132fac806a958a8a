// Every `refseg` command. To add one, write its module here (see ../command.ts) and list it.
import type { Command } from '../command.ts';
import { modelsList } from './models-list.ts';
import { modelsPull } from './models-pull.ts';

export const COMMANDS: readonly Command[] = [modelsList, modelsPull];
