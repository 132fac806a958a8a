// The deadlines of one client connection, as Node's HTTP server keeps them (its defaults are
// ours): a request head must arrive within headersTimeout of its first byte (or of the
// connection's opening), the whole request within requestTimeout, and an idle kept-alive
// connection gets keepAliveTimeout to start its next request. While an answer is being worked
// on or sent, nothing is timed here (the edge's own gpu-node timeouts bound that). Runtime
// neutral: deno-guard.ts feeds it the bytes of a real connection.
import { FramingError, Http1Framer } from './http1-framing.ts';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Largest request head (request line and headers). */
  maxHeadBytes: number;
}

/** Node's defaults (http.createServer): 60 s, 300 s, 5 s, 16 KiB. */
export const NODE_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 60_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 5_000, maxHeadBytes: 16_384 };

export interface Deadline {
  at: number;
  reason: 'headers' | 'request' | 'keep-alive';
}

export class ConnectionGuard {
  private readonly request: Http1Framer;
  private readonly response: Http1Framer;
  /** Methods of requests whose answer has not started, oldest first. */
  private readonly methods: string[] = [];
  private pending = 0;
  private requestStartedAt: number | null = null;
  private idleSince: number;
  private served = false;
  private untracked = false;

  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly now: () => number = Date.now,
  ) {
    this.idleSince = now();
    this.request = new Http1Framer({ side: 'request', maxHeadBytes: timeouts.maxHeadBytes });
    this.response = new Http1Framer({ side: 'response', maxHeadBytes: 1 << 20, nextRequestMethod: () => this.methods.shift() });
  }

  /** Bytes from the client. Throws FramingError when the request must be refused. */
  fromClient(bytes: Uint8Array): void {
    if (this.untracked) return;
    for (const event of this.request.push(bytes)) {
      if (event.type === 'head-start') this.requestStartedAt = this.now();
      else if (event.type === 'head') {
        this.methods.push(event.method ?? 'GET');
        this.pending++;
      } else if (event.type === 'message-end') this.requestStartedAt = null;
    }
  }

  /** Bytes from the server. */
  fromServer(bytes: Uint8Array): void {
    if (this.untracked) return;
    let events;
    try {
      events = this.response.push(bytes);
    } catch (err) {
      // Our own server's framing is not in doubt; if it cannot be followed, stop timing rather than cut answers.
      if (!(err instanceof FramingError)) throw err;
      this.untracked = true;
      return;
    }
    for (const event of events) {
      if (event.type === 'tunnel') this.untracked = true;
      if (event.type === 'message-end') {
        this.pending = Math.max(0, this.pending - 1);
        this.served = true;
        if (this.pending === 0) this.idleSince = this.now();
      }
    }
  }

  /** When the connection must be closed unless something happens first; null: no deadline now. */
  deadline(): Deadline | null {
    if (this.untracked) return null;
    const t = this.timeouts;
    if (this.requestStartedAt !== null) {
      const request = { at: this.requestStartedAt + t.requestTimeoutMs, reason: 'request' } as const;
      if (!this.request.receivingHead) return request;
      const headers = { at: this.requestStartedAt + t.headersTimeoutMs, reason: 'headers' } as const;
      return headers.at <= request.at ? headers : request;
    }
    if (this.pending > 0 || this.response.inMessage) return null;
    return this.served ? { at: this.idleSince + t.keepAliveTimeoutMs, reason: 'keep-alive' } : { at: this.idleSince + t.headersTimeoutMs, reason: 'headers' };
  }

  /** Whether the guard may write its own answer: no answer of the server is due or under way. */
  canAnswer(): boolean {
    return !this.untracked && this.pending === 0 && !this.response.inMessage;
  }

  /** Whether a request was being received when the deadline passed (a 408 is owed, not a silent close). */
  receiving(): boolean {
    return this.requestStartedAt !== null;
  }
}
