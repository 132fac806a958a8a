// An HTTP/1.1 request whose chunked body is never finished, over a plain socket: the only way
// to see that a server answers before reading the whole body, whatever the server does with
// the connection afterwards (workerd closes it at once, which makes fetch() report a failure).
// Exactly `bytes` body bytes are sent, then nothing: a server that closes with our bytes still
// unread in its socket buffer makes the kernel reset the connection, which can destroy its
// answer before we read it, so the caller sends no more than the server will read.
import { connect } from 'node:net';

export interface EarlyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes written before the answer arrived. */
  sent: number;
}

export function postUnfinished(base: string, path: string, headers: Record<string, string>, bytes: number, timeoutMs = 20_000): Promise<EarlyAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunk = new Uint8Array(16_384);
    let sent = 0;
    let received = '';
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no answer within ${timeoutMs} ms after ${sent} body bytes`))), timeoutMs);
    const parse = (): EarlyAnswer | null => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const hs = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(hs['content-length'] ?? NaN);
      const body = received.slice(end + 4);
      if (Number.isFinite(length) && body.length < length) return null;
      return { status: Number(statusLine.split(' ')[1]), headers: hs, body: Number.isFinite(length) ? body.slice(0, length) : body, sent };
    };
    socket.on('data', (b: Buffer) => {
      received += b.toString('latin1');
      const answer = parse();
      if (answer) finish(() => resolve(answer));
    });
    socket.on('close', () => {
      const answer = parse();
      finish(() => (answer ? resolve(answer) : reject(new Error(`connection closed without an answer after ${sent} body bytes`))));
    });
    // Writes after the server has answered and reset the connection are expected to fail.
    socket.on('error', () => {});
    socket.on('connect', () => {
      const head = Object.entries({ Host: url.host, 'Transfer-Encoding': 'chunked', ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
      const pump = () => {
        while (!done && sent < bytes) {
          const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
          sent += part.length;
          const ok = socket.write(`${part.length.toString(16)}\r\n`) && socket.write(part) && socket.write('\r\n');
          if (!ok) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}
