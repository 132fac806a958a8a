// API key secrets: `rsk_` + 64 hex digits (256 random bits). Only their SHA-256 is stored; with
// 256 bits of entropy a plain hash cannot be brute-forced, so no salt or slow KDF is needed and
// the hash can serve as the lookup key.
import { bytesToHex } from '../../shared/encoding/hex.ts';
import { sha256Hex } from '../../shared/encoding/sha256.ts';

export const API_KEY_PREFIX = 'rsk_';
const SECRET_BYTES = 32;
const API_KEY_PATTERN = /^rsk_[0-9a-f]{64}$/;

export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + bytesToHex(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** Whether `token` has the shape of a refseg API key (checked before any storage lookup). */
export function isApiKeyFormat(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}

/** Lower-case hex SHA-256 of the secret's UTF-8 bytes. */
export function hashApiKey(secret: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(secret));
}

/** What a listing may show of a secret, enough to tell keys apart: `rsk_…1a2b`. */
export function apiKeyHint(secret: string): string {
  return `${API_KEY_PREFIX}…${secret.slice(-4)}`;
}

/** A public identifier of a key (for listing and revoking); reveals nothing about the secret. */
export function generateApiKeyId(): string {
  return 'key_' + bytesToHex(crypto.getRandomValues(new Uint8Array(8)));
}
