import { ConflictError, ServiceUnavailableError, UnprocessableError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

/** A reference names a class the bank does not have. */
export class UnknownClassError extends UnprocessableError {
  constructor(className: string, bankId: string, options?: RefsegErrorOptions) {
    super(`Bank "${bankId}" has no class "${className}"; add the class first.`, { ...options, extra: { ...options?.extra, className } }, 'unknown-class', 'Unknown class');
  }
}

export class ClassExistsError extends ConflictError {
  constructor(className: string, bankId: string, options?: RefsegErrorOptions) {
    super(`Bank "${bankId}" already has a class "${className}".`, { ...options, extra: { ...options?.extra, className } }, 'class-exists', 'Class exists');
  }
}

export class BankExistsError extends ConflictError {
  constructor(bankId: string, options?: RefsegErrorOptions) {
    super(`A bank with id "${bankId}" already exists.`, { ...options, extra: { ...options?.extra, bankId } }, 'bank-exists', 'Bank exists');
  }
}

/** Adding would exceed the per-bank or per-request reference limit. */
export class ReferenceLimitError extends UnprocessableError {
  constructor(detail: string, limit: number, options?: RefsegErrorOptions) {
    super(detail, { ...options, extra: { ...options?.extra, limit } }, 'reference-limit', 'Too many references');
  }
}

/** Other writers kept changing the bank while this write retried: safe to retry later. */
export class BankBusyError extends ServiceUnavailableError {
  constructor(bankId: string, options?: RefsegErrorOptions) {
    super(`Bank "${bankId}" is being changed by other requests; nothing was stored, retry shortly.`, 1, options);
  }
}
