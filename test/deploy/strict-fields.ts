// Unknown fields in a manifest (a misspelt `readinesProbe` is silently dropped by a cluster and
// passes kubernetes-models' validate(), whose schemas allow extra properties): each object is
// type-checked as a fresh object literal against its kubernetes-models interface, so TypeScript's
// excess-property check names every field the API does not have, at any depth.
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

export interface TypedDocument {
  label: string;
  /** Module and interface, e.g. `kubernetes-models/apps/v1` / `IDeployment`. */
  module: string;
  type: string;
  object: unknown;
}

const ROOT = resolve(import.meta.dirname, '../..');

/** TypeScript's complaints about each document, as `label: message`; empty when all fit their types. */
export function typeErrors(documents: readonly TypedDocument[]): string[] {
  const file = join(ROOT, 'test', 'deploy', '__manifests__.ts');
  const imports = [...new Set(documents.map((d) => `import type { ${d.type} } from '${d.module}';`))];
  const lines = [...imports, ...documents.map((d, i) => `export const m${i}: ${d.type} = ${JSON.stringify(d.object)};`)];
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, fresh) =>
    resolve(name) === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, onError, fresh);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  host.getCurrentDirectory = () => dirname(file);
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, sf).map((d) => {
    const line = d.start === undefined ? -1 : sf.getLineAndCharacterOfPosition(d.start).line;
    const doc = documents[line - imports.length];
    return `${doc?.label ?? 'imports'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
