// Just enough of a Dockerfile reader for the deploy tests: instructions with their continuation
// lines joined, grouped by build stage, and the exec (JSON) form of ENTRYPOINT / CMD / HEALTHCHECK.
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // comments, also between continued lines
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') lines.push(current.trim());
    current = '';
  }
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^([A-Za-z]+)\s+(.*)$/s.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const keyword = m[1].toUpperCase();
    const args = m[2].replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f![1], ...(f![2] ? { name: f![2] } : {}), instructions: [] });
    } else if (keyword !== 'ARG' || stages.length > 0) {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** Instructions of one keyword in a stage. */
export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The JSON array of an exec-form instruction (`CMD ["a", "b"]`, `HEALTHCHECK … CMD [...]`). */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** `COPY [--from=x] src… dest` → its sources, destination and --from stage. */
export function copyOf(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(' ');
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  const dest = words.pop()!;
  return { ...(from ? { from } : {}), sources: words, dest };
}

/** `ENV A=1 B=2` (the form these Dockerfiles use) → pairs. */
export function envOf(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of args.split(' ')) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}
