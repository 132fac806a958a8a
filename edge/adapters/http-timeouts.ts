// The connection deadlines of the Node and Deno edges, from the environment (Workers: Cloudflare
// terminates HTTP and keeps its own). Same variables and defaults on both runtimes:
//   REFSEG_HEADERS_TIMEOUT_MS    request head complete within (default 60000)
//   REFSEG_REQUEST_TIMEOUT_MS    whole request received within (default 300000)
//   REFSEG_KEEPALIVE_TIMEOUT_MS  an idle kept-alive connection is closed after (default 5000)
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.ts';
import { NODE_HTTP_TIMEOUTS } from './connection-guard.ts';
import type { HttpTimeouts } from './connection-guard.ts';

const ms = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);

const TimeoutsSchema = z.object({
  REFSEG_HEADERS_TIMEOUT_MS: ms(NODE_HTTP_TIMEOUTS.headersTimeoutMs),
  REFSEG_REQUEST_TIMEOUT_MS: ms(NODE_HTTP_TIMEOUTS.requestTimeoutMs),
  REFSEG_KEEPALIVE_TIMEOUT_MS: ms(NODE_HTTP_TIMEOUTS.keepAliveTimeoutMs),
});

export function httpTimeoutsFromEnv(env: Record<string, string | undefined>): HttpTimeouts {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in TimeoutsSchema.shape && v !== undefined && v !== ''));
  const parsed = TimeoutsSchema.safeParse(present);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const e = parsed.data;
  return {
    headersTimeoutMs: Math.min(e.REFSEG_HEADERS_TIMEOUT_MS, e.REFSEG_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: e.REFSEG_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.REFSEG_KEEPALIVE_TIMEOUT_MS,
    maxHeadBytes: NODE_HTTP_TIMEOUTS.maxHeadBytes,
  };
}
