// The parts of `npm start` that make a first run end somewhere useful: the `--standin` flag, the
// question asked when no real models are installed and a person is at the terminal, the API key
// made for a local run (shown once), and the lines that say where the page is and what runs.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ApiKeyStore } from './edge/auth/index.ts';

export interface StartArgs {
  /** Run on the project's generated stand-in models instead of the real presets. */
  standin: boolean;
}

export const START_USAGE = 'usage: npm start [-- --standin]';

/** Throws with the usage line for anything but `--standin`. */
export function parseStartArgs(argv: readonly string[]): StartArgs {
  const unknown = argv.filter((a) => a !== '--standin');
  if (unknown.length > 0) throw new Error(`unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(' ')}\n${START_USAGE}`);
  return { standin: argv.includes('--standin') };
}

export type MissingModelsAnswer = 'download' | 'standin' | 'quit';

/**
 * Asked only when a person can answer (stdin and stdout are terminals): the default models are
 * not installed. Enter alone means download, as `npm start` did before it asked.
 */
export async function askWhenModelsMissing(
  missing: readonly string[],
  dir: string,
  io: { input: Readable; output: Writable },
): Promise<MissingModelsAnswer> {
  io.output.write(
    `\nThe model preset${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not in ${dir}.\n` +
      `  d  download ${missing.length > 1 ? 'them' : 'it'} now (needs the model hub)\n` +
      '  s  start on stand-in models instead: generated here, offline, for trying the page and API —\n' +
      '     their results mean nothing on real photos\n' +
      '  q  quit\n',
  );
  const ask = () => io.output.write('Your choice [D/s/q]: ');
  const rl = createInterface({ input: io.input, terminal: false });
  try {
    ask();
    for await (const line of rl) {
      const answer = line.trim().toLowerCase();
      if (answer === '' || answer === 'd') return 'download';
      if (answer === 's') return 'standin';
      if (answer === 'q') return 'quit';
      ask();
    }
    // stdin closed before an answer: nobody is there to decide.
    return 'quit';
  } finally {
    rl.close();
  }
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/;

/** Whether a URL points at this machine only (then `npm start` makes an API key to sign in with). */
export function isLocalUrl(url: string): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

export const LOCAL_TENANT = 'local';

/** A new API key of the tenant `local`, for the person who ran `npm start`. */
export async function makeLocalKey(keys: ApiKeyStore, now: Date = new Date()): Promise<string> {
  const created = await keys.create({ tenant: LOCAL_TENANT, label: `npm start ${now.toISOString()}` });
  return created.secret;
}

export interface WelcomeFacts {
  edgeUrl: string;
  /** Null for a run that is not local (no key is made then). */
  key: string | null;
  standin: boolean;
  /** Folder of sample images (stand-in runs). */
  samples?: string;
}

export const STANDIN_WARNING =
  'STAND-IN MODELS: refseg runs on models this project generates for offline trials. They only tell ' +
  'flat colours apart; their masks and scores mean nothing on real photos.';

export function welcomeLines(f: WelcomeFacts): string[] {
  const lines = ['', `refseg is ready. Open ${f.edgeUrl}/ in a browser.`, `  API: ${f.edgeUrl}/v1/…  (reference: ${f.edgeUrl}/docs)`];
  if (f.key !== null) {
    lines.push(
      `  API key (tenant "${LOCAL_TENANT}"): ${f.key}`,
      '  The key is shown once — only its hash is stored. Sign in on the page with it; every `npm start` makes a new one.',
    );
  } else {
    lines.push('  Not a local address: no key was made. Create keys with POST /v1/admin/keys and REFSEG_ADMIN_KEY.');
  }
  if (f.standin) {
    lines.push('', STANDIN_WARNING);
    if (f.samples) lines.push(`Images the stand-ins segment sensibly (a scene and one reference per class): ${f.samples}`);
  }
  lines.push('', 'Ctrl+C stops refseg.');
  return lines;
}
