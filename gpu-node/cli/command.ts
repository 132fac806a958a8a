// What a `refseg` command is. Each command lives in its own module under commands/ and is
// listed in commands/index.ts. Keep a command module's top-level imports light (import heavy
// things such as onnxruntime inside `run`), so `refseg --help` and `refseg models list` stay
// fast whatever other commands need.
import { BadRequestError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  description: string;
  /** Placeholder in help: `--dir <path>`. */
  valueName?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes all remaining arguments (only the last positional). */
  variadic?: boolean;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { default: string | boolean } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

/** Where a command writes. Progress bars go to stderr so stdout can be piped. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CommandContext<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  values: OptionValues<O>;
  /** Positionals by name; a variadic one is an array. */
  args: Record<string, string | string[] | undefined>;
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: long work should stop and keep what can be resumed. */
  signal: AbortSignal;
}

export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** Words after `refseg`, e.g. `models pull` or `bank build`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraph for the command's own help. */
  description?: string;
  options?: O;
  positionals?: PositionalSpec[];
  examples?: string[];
  /** Resolves to the exit code (default 0). Throw UsageError for bad arguments. */
  run(ctx: CommandContext<O>): Promise<number | void> | number | void;
}

/** Declares a command with its option values typed from its option specs. */
export function defineCommand<const O extends Record<string, OptionSpec>>(command: Command<O>): Command<O> {
  return command;
}

/** Bad command line: exit code 2, with a pointer to the command's help. */
export class UsageError extends BadRequestError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'usage', 'Usage error');
  }
}

/** Integer option value (`--retries 3`), checked against a minimum. */
export function intOption(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, not "${value}".`);
  return Number(value);
}
