// Errors of the model layer. Unusable model files are a configuration fault of the node (500;
// the message, written for the operator, reaches logs and the command line, not API clients);
// a full queue is a 503 with Retry-After that the edge can act on.
import { InternalError, ServiceUnavailableError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

/** A model file is missing, is not the expected export, or has an unsupported signature. */
export class ModelFormatError extends InternalError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options);
  }
}

/** `removeNoMemEmbed` was asked for but the encoder graph does not add it the known way. */
export class NoMemEmbedNotFoundError extends ModelFormatError {}

/** Every inference slot is busy and the wait queue is full. */
export class ModelsBusyError extends ServiceUnavailableError {
  constructor(queued: number, retryAfterSeconds: number, options?: RefsegErrorOptions) {
    super(`All model workers are busy and ${queued} requests are already waiting; try again later.`, retryAfterSeconds, options);
  }
}

/** A model worker thread died while it held this job (it is restarted; the job is not retried). */
export class ModelWorkerCrashedError extends ServiceUnavailableError {
  constructor(reason: string, options?: RefsegErrorOptions) {
    super(`A model worker crashed while running this request (${reason}); it is being restarted. Retry the request.`, 2, options);
  }
}

/** The models were closed (or a worker died) while a request was pending. */
export class ModelsClosedError extends InternalError {}

/** A prompt, image or embedding handed to the models has the wrong size. */
export class ModelInputError extends InternalError {}
