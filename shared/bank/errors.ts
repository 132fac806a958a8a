import { InternalError } from '../errors.ts';

/** Bank math was given arrays of the wrong size: a caller bug (model output, store), not user input. */
export class BankArgumentError extends InternalError {}
