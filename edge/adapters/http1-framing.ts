// Where each HTTP/1.1 message starts and ends in a byte stream, without buffering bodies: the
// part of an HTTP parser that edge/adapters/connection-guard.ts needs to time a connection the
// way Node's server does (headers timeout, request timeout, keep-alive timeout). Heads are
// parsed just enough for framing (RFC 9112 §6): Content-Length, chunked Transfer-Encoding, and
// for responses the request's method and the status (HEAD, 1xx, 204, 304 have no body; 101
// turns the connection into a tunnel). Anything ambiguous in a request is refused, as a
// request-smuggling defence: both Content-Length and Transfer-Encoding, a Transfer-Encoding that
// does not end in chunked, differing or malformed lengths, bare LF line ends in chunk framing.

export type FramingEvent =
  | { type: 'head-start' }
  | { type: 'head'; method?: string; status?: number }
  | { type: 'message-end' }
  /** A 101 answer: from here on the bytes are another protocol's. */
  | { type: 'tunnel' };

export class FramingError extends Error {
  constructor(
    readonly status: 400 | 431,
    message: string,
  ) {
    super(message);
  }
}

type Phase = 'idle' | 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-data-end' | 'trailer' | 'until-close' | 'tunnel';

const CR = 13;
const LF = 10;
const MAX_LINE = 4096;
const decoder = new TextDecoder('latin1');

export interface FramerOptions {
  side: 'request' | 'response';
  /** Largest request or status line plus headers, in bytes (Node: 16 KiB). */
  maxHeadBytes: number;
  /** Responses: the method of the request each answers, in order (HEAD answers have no body). */
  nextRequestMethod?: () => string | undefined;
}

export class Http1Framer {
  private phase: Phase = 'idle';
  private head: number[] = [];
  private line: number[] = [];
  private remaining = 0;
  private trailerLineEmpty = true;
  private method: string | undefined;

  constructor(private readonly options: FramerOptions) {}

  /** Whether a message has started and not ended (an idle connection is between messages). */
  get inMessage(): boolean {
    return this.phase !== 'idle' && this.phase !== 'tunnel';
  }

  get receivingHead(): boolean {
    return this.phase === 'head';
  }

  get tunnelled(): boolean {
    return this.phase === 'tunnel';
  }

  /** Consumes bytes; returns what happened in them, in order. Throws FramingError on a refusal. */
  push(bytes: Uint8Array): FramingEvent[] {
    const events: FramingEvent[] = [];
    let i = 0;
    while (i < bytes.length) {
      switch (this.phase) {
        case 'tunnel':
        case 'until-close':
          return events;
        case 'idle': {
          // Empty lines between messages are allowed before a request (RFC 9112 §2.2).
          const b = bytes[i];
          if (this.options.side === 'request' && (b === CR || b === LF)) {
            i++;
            break;
          }
          this.phase = 'head';
          this.head = [];
          events.push({ type: 'head-start' });
          break;
        }
        case 'head': {
          const b = bytes[i++];
          this.head.push(b);
          const n = this.head.length;
          if (n > this.options.maxHeadBytes) throw new FramingError(431, `The request head is larger than ${this.options.maxHeadBytes} bytes.`);
          if (b === LF && n >= 2 && (this.head[n - 2] === LF || (this.head[n - 2] === CR && n >= 3 && this.head[n - 3] === LF))) {
            this.endHead(events);
          }
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, bytes.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.endMessage(events);
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, bytes.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.phase = 'chunk-data-end';
            this.line = [];
          }
          break;
        }
        case 'chunk-size':
        case 'chunk-data-end':
        case 'trailer': {
          const b = bytes[i++];
          if (b !== LF) {
            this.line.push(b);
            if (this.line.length > MAX_LINE) throw new FramingError(400, 'A chunk framing line is too long.');
            break;
          }
          if (this.line.at(-1) !== CR) throw new FramingError(400, 'Chunk framing lines must end with CRLF.');
          const text = decoder.decode(new Uint8Array(this.line.slice(0, -1)));
          this.line = [];
          this.onLine(text, events);
          break;
        }
      }
    }
    return events;
  }

  private onLine(text: string, events: FramingEvent[]): void {
    if (this.phase === 'chunk-data-end') {
      if (text !== '') throw new FramingError(400, 'Chunk data is longer than its declared size.');
      this.phase = 'chunk-size';
      return;
    }
    if (this.phase === 'trailer') {
      if (text === '') this.endMessage(events);
      return;
    }
    const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(text);
    if (!size) throw new FramingError(400, 'A chunk size is not a hexadecimal number.');
    this.remaining = parseInt(size[1], 16);
    this.phase = this.remaining === 0 ? 'trailer' : 'chunk-data';
  }

  private endHead(events: FramingEvent[]): void {
    const lines = decoder.decode(new Uint8Array(this.head)).split(/\r?\n/);
    this.head = [];
    const start = lines[0];
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) throw new FramingError(400, 'A header line is malformed.');
      const name = line.slice(0, colon).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    if (this.options.side === 'request') this.requestHead(start, headers, events);
    else this.responseHead(start, headers, events);
  }

  private requestHead(start: string, headers: Map<string, string[]>, events: FramingEvent[]): void {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) \S+ HTTP\/1\.[01]$/.exec(start);
    if (!m) throw new FramingError(400, 'The request line is malformed.');
    events.push({ type: 'head', method: m[1] });
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    if (te && cl) throw new FramingError(400, 'A request has both Content-Length and Transfer-Encoding.');
    if (te) {
      if (!/(^|,)\s*chunked$/i.test(te.join(','))) throw new FramingError(400, 'A request Transfer-Encoding must end with chunked.');
      this.phase = 'chunk-size';
      this.line = [];
      return;
    }
    if (cl) return this.bodyOfLength(cl, events);
    this.endMessage(events);
  }

  private responseHead(start: string, headers: Map<string, string[]>, events: FramingEvent[]): void {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(start);
    if (!m) throw new FramingError(400, 'The status line is malformed.');
    const status = Number(m[1]);
    events.push({ type: 'head', status });
    if (status === 101) {
      this.phase = 'tunnel';
      events.push({ type: 'tunnel' });
      return;
    }
    if (status >= 100 && status < 200) {
      this.phase = 'idle';
      return;
    }
    this.method ??= this.options.nextRequestMethod?.();
    if (this.method === 'HEAD' || status === 204 || status === 304) return this.endMessage(events);
    const te = headers.get('transfer-encoding');
    if (te && /(^|,)\s*chunked$/i.test(te.join(','))) {
      this.phase = 'chunk-size';
      this.line = [];
      return;
    }
    const cl = headers.get('content-length');
    if (cl && !te) return this.bodyOfLength(cl, events);
    this.phase = 'until-close';
  }

  private bodyOfLength(values: string[], events: FramingEvent[]): void {
    const all = values.join(',').split(',').map((v) => v.trim());
    if (!all.every((v) => /^\d{1,15}$/.test(v)) || new Set(all).size !== 1) throw new FramingError(400, 'Content-Length is malformed.');
    this.remaining = Number(all[0]);
    if (this.remaining === 0) this.endMessage(events);
    else this.phase = 'length';
  }

  private endMessage(events: FramingEvent[]): void {
    this.phase = 'idle';
    this.method = undefined;
    events.push({ type: 'message-end' });
  }
}
