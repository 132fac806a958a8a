// Child processes for tests: a command run to its end with its output, and the `refseg` command
// line as a user runs it (bin/refseg.mjs under this Node, with a minimal environment).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = resolve(import.meta.dirname, '..', 'bin', 'refseg.mjs');

export function runProcess(command: string, args: readonly string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  return finished(spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A started child's exit code and everything it printed (its stdout and stderr must be pipes). */
export function finished(child: ChildProcess): Promise<Ran> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `refseg <args>` with only PATH, HOME and `env` set. */
export function runRefseg(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return runProcess(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env } });
}
