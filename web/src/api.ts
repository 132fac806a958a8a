// The API as the page uses it: the typed client of shared/client for everything it covers, plus
// the admin key routes and the mask preview (POST /v1/masks/preview), with the same error type.
// The key lives in sessionStorage only (gone when the tab closes) and never in a URL.
import { apiErrorOf, createRefsegClient, RefsegApiError } from '../../shared/client/index.ts';
import type { RefsegClient } from '../../shared/client/index.ts';
import type { Rle } from '../../shared/types.ts';

const STORAGE_KEY = 'refseg.apiKey';
const TENANT_KEY = /^rsk_[0-9a-f]{64}$/;

/** The folder the page is served from: the API answers beside it. */
export const API_BASE = new URL('.', location.href).href.replace(/\/$/, '');

export type Role = 'tenant' | 'admin';

export interface Session {
  key: string;
  role: Role;
  client: RefsegClient;
}

export interface ServiceInfo {
  standin?: boolean;
  modelId?: string;
  [k: string]: unknown;
}

export interface ApiKeyInfo {
  id: string;
  tenant: string;
  label?: string;
  hint: string;
  createdAt: string;
}

export type PreviewPrompt = { box: [number, number, number, number] } | { points: [number, number, 0 | 1][] };

export interface PreviewResult {
  mask: Rle;
  score: number;
  bbox: [number, number, number, number];
  orientation: string;
}

async function call(key: string | null, method: string, path: string, body?: BodyInit, json = false, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (json) headers['Content-Type'] = 'application/json';
  const res = await fetch(API_BASE + path, { method, headers, ...(body === undefined ? {} : { body }), ...(signal ? { signal } : {}) });
  if (!res.ok) throw await apiErrorOf(res);
  return res;
}

/** Checks the key against the API (tenant keys list banks; anything else must be the admin key). */
export async function signIn(key: string): Promise<Session> {
  const trimmed = key.trim();
  const client = createRefsegClient({ baseUrl: API_BASE, apiKey: trimmed });
  let role: Role;
  if (TENANT_KEY.test(trimmed)) {
    await client.listBanks();
    role = 'tenant';
  } else {
    await call(trimmed, 'GET', '/v1/admin/keys?tenant=default');
    role = 'admin';
  }
  sessionStorage.setItem(STORAGE_KEY, trimmed);
  return { key: trimmed, role, client };
}

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** GET /v1/info (null when this edge has none or refuses). */
export async function serviceInfo(key: string | null): Promise<ServiceInfo | null> {
  try {
    return (await (await call(key, 'GET', '/v1/info')).json()) as ServiceInfo;
  } catch {
    return null;
  }
}

export async function createKey(s: Session, tenant: string, label: string): Promise<{ key: ApiKeyInfo; secret: string }> {
  const body = JSON.stringify(label ? { tenant, label } : { tenant });
  return (await call(s.key, 'POST', '/v1/admin/keys', body, true)).json();
}

export async function listKeys(s: Session, tenant: string): Promise<ApiKeyInfo[]> {
  return ((await (await call(s.key, 'GET', `/v1/admin/keys?tenant=${encodeURIComponent(tenant)}`)).json()) as { keys: ApiKeyInfo[] }).keys;
}

export async function revokeKey(s: Session, id: string): Promise<void> {
  await call(s.key, 'DELETE', `/v1/admin/keys/${encodeURIComponent(id)}`);
}

/** SAM2's mask for a box or points on the image (image pixels, EXIF orientation applied). */
export async function previewMask(s: Session, image: Blob, prompt: PreviewPrompt, signal?: AbortSignal): Promise<PreviewResult> {
  const form = new FormData();
  form.append('image', image);
  form.append('prompt', JSON.stringify(prompt));
  return (await call(s.key, 'POST', '/v1/masks/preview', form, false, signal)).json();
}

/** An error as one line for people: the API's own words, and the request id to quote. */
export function errorText(err: unknown): string {
  if (err instanceof RefsegApiError) return `${err.detail || err.title}${err.requestId ? ` (request ${err.requestId})` : ''}`;
  if (err instanceof DOMException && err.name === 'AbortError') return 'Cancelled.';
  if (err instanceof TypeError) return `The API cannot be reached: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
