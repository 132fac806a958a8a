import { z } from 'zod';

/** Tenant id: chosen by the operator when creating the tenant's first key; part of storage keys. */
export const TenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, '1–64 letters, digits, `_` or `-`')
  .describe('Tenant id: 1–64 letters, digits, `_` or `-`.');
