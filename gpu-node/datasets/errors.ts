// Failures of the dataset and evaluation commands that are about the user's files (unreadable
// JSON, missing images, a bank made with other models): shown as they are, exit code 1.
import { UnprocessableError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

export class DatasetError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'dataset', 'Unusable dataset');
  }
}
