// A small HTTP client for the API suite: fetch only, so the suite runs under Node and Deno alike.

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON (incl. problem+json), else the text. */
  body: T;
}

export interface RequestOptions {
  token?: string | null;
  json?: unknown;
  form?: FormData;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export async function call<T = any>(base: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const res = await fetch(base + path, { method, headers, body });
  const type = res.headers.get('Content-Type') ?? '';
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: type.includes('json') && text !== '' ? JSON.parse(text) : text };
}

/** A file part, as browsers and curl send it. */
export function filePart(bytes: Uint8Array, type = 'image/png', name = 'image.png'): File {
  return new File([bytes as BlobPart], name, { type });
}

/** image/annotations pairs for POST /v1/banks/{id}/references. */
export function referenceForm(items: readonly { image: Uint8Array; annotations: unknown }[]): FormData {
  const form = new FormData();
  for (const { image, annotations } of items) {
    form.append('image', filePart(image));
    form.append('annotations', JSON.stringify(annotations));
  }
  return form;
}

export function segmentForm(image: Uint8Array, options?: unknown): FormData {
  const form = new FormData();
  form.append('image', filePart(image));
  if (options !== undefined) form.append('options', JSON.stringify(options));
  return form;
}
