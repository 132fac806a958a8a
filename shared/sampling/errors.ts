import { BadRequestError, InternalError, UnprocessableError } from '../errors.ts';

/** A random-module call got arguments CPython would reject (ValueError/TypeError there): a caller bug. */
export class RandomArgumentError extends InternalError {}

/** One class's sampled references, in the order the official pkl stores them. */
export interface SampledClass {
  categoryId: number;
  samples: { imgId: number; annIds: number[] }[];
}

/**
 * A class has fewer usable references than shots asked for. The official script raises
 * `ValueError('Reference for class X is not enough')` and writes nothing; `completed` keeps the
 * classes sampled before it so a caller can show how far sampling got.
 */
export class NotEnoughReferencesError extends UnprocessableError {
  readonly categoryId: number;
  readonly found: number;
  readonly needed: number;
  readonly completed: SampledClass[];

  constructor(categoryId: number, found: number, needed: number, completed: SampledClass[]) {
    // The detail is the official message verbatim, so logs of both implementations match.
    super(`Reference for class ${categoryId} is not enough`, {
      extra: { categoryId, found, needed, completedCategoryIds: completed.map((c) => c.categoryId) },
    }, 'not-enough-references', 'Not enough references');
    this.categoryId = categoryId;
    this.found = found;
    this.needed = needed;
    this.completed = completed;
  }
}

/** Class names that match no category; `suggestions` maps each unknown name to close existing ones. */
export class UnknownClassError extends BadRequestError {
  readonly unknown: string[];
  readonly suggestions: Record<string, string[]>;

  constructor(unknown: string[], suggestions: Record<string, string[]>) {
    const parts = unknown.map((name) => {
      const close = suggestions[name] ?? [];
      return close.length > 0 ? `"${name}" (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : `"${name}"`;
    });
    super(`Unknown class name${unknown.length > 1 ? 's' : ''}: ${parts.join('; ')}.`, {
      extra: { unknown, suggestions },
    }, 'unknown-class', 'Unknown class');
    this.unknown = unknown;
    this.suggestions = suggestions;
  }
}
