// Reading the JSON files the dataset commands take (COCO annotation files, sample files, banks),
// with errors that name the file.
import { readFile } from 'node:fs/promises';
import { CocoDatasetSchema } from '../../shared/coco-eval/index.ts';
import type { CocoDataset } from '../../shared/coco-eval/index.ts';
import { ValidationError } from '../../shared/errors.ts';
import type { z } from 'zod';
import { DatasetError } from './errors.ts';

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DatasetError(`Cannot read the ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`The ${what} ${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** `value` checked against `schema`; a failure lists the offending paths and names the file. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, path: string, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = ValidationError.fromZod(parsed.error).issues;
  const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  throw new DatasetError(`The ${what} ${path} is not valid: ${shown.join('; ')}${more}.`, { cause: parsed.error });
}

/**
 * A COCO instances file, checked for what the commands rely on besides its shape: unique image,
 * category and annotation ids, and annotations that point at listed images and categories.
 */
export async function readCocoFile(path: string): Promise<CocoDataset> {
  const dataset = parseWith(CocoDatasetSchema, await readJsonFile(path, 'COCO file'), path, 'COCO file') as CocoDataset;
  const problems: string[] = [];
  const unique = (ids: readonly number[], what: string) => {
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${what} id ${id} appears twice`);
      seen.add(id);
    }
    return seen;
  };
  const images = unique(dataset.images.map((i) => i.id), 'image');
  const categories = unique(dataset.categories.map((c) => c.id), 'category');
  unique(dataset.annotations.map((a) => a.id), 'annotation');
  for (const a of dataset.annotations) {
    if (!images.has(a.image_id)) problems.push(`annotation ${a.id} is on image ${a.image_id}, which is not listed`);
    if (!categories.has(a.category_id)) problems.push(`annotation ${a.id} has category ${a.category_id}, which is not listed`);
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new DatasetError(`The COCO file ${path} is inconsistent: ${problems.slice(0, 5).join('; ')}${more}.`);
  }
  return dataset;
}
