import { UnprocessableError } from '../errors.ts';

/** Ground truth or results that pycocotools would reject (assertion or crash there). */
export class CocoInputError extends UnprocessableError {
  constructor(detail: string) {
    super(detail, undefined, 'coco-input', 'Unusable COCO input');
  }
}
