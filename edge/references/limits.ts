// How many reference images one request may carry: each is a gpu-node call (a SAM2 and DINOv2
// run per annotation), and all of them are held in memory until the bank write.
import { RefsegError } from '../../shared/errors.ts';

export const MAX_REFERENCE_IMAGES = 16;

export class TooManyImagesError extends RefsegError {
  constructor(count: number, field: string) {
    super(413, 'too-many-images', 'Too many images', `The request has ${count} image parts; at most ${MAX_REFERENCE_IMAGES} per request. Send the references in several requests.`, {
      field,
      extra: { images: count, limit: MAX_REFERENCE_IMAGES },
    });
  }
}
