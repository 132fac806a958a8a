// A NuGet feed for onnxruntime-node's install script, with no network: an HTTP CONNECT proxy on
// localhost whose tunnels end in an in-process HTTPS server holding a certificate for
// api.nuget.org (test/fixtures/tls). Child processes reach it with GLOBAL_AGENT_HTTP_PROXY (the
// install script bootstraps global-agent) and trust it with NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { makeZip } from '../../gpu-node/model-store/test-zip.ts';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
export const FAKE_NUGET_CA = `${TLS_DIR}fake-nuget.crt`;

const PACKAGE = 'microsoft.ml.onnxruntime.gpu.linux';
const BASE = 'https://api.nuget.org/v3-flatcontainer/';

export interface FakeNuget {
  /** `GLOBAL_AGENT_HTTP_PROXY` value. */
  proxyUrl: string;
  /** Hosts asked for with CONNECT, in order. */
  tunnels: string[];
  /** Paths requested through the tunnels. */
  paths: string[];
  /** Environment for a child that should use this feed. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The bytes each provider library gets in the fake package: its own name, so a test can tell them apart. */
export function fakeLibrary(name: string): Uint8Array {
  return new TextEncoder().encode(`not really ${name}\n`);
}

export async function startFakeNuget(opts: { version: string; libraries: readonly string[]; missingPackage?: boolean }): Promise<FakeNuget> {
  const tunnels: string[] = [];
  const paths: string[] = [];
  const nupkg = makeZip(opts.libraries.map((name) => ({ name: `runtimes/linux-x64/native/${name}`, data: fakeLibrary(name), deflate: true })));
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const feed = createHttpsServer({ key: readFileSync(`${TLS_DIR}fake-nuget.key`), cert: readFileSync(FAKE_NUGET_CA) }, (req: IncomingMessage, res) => {
    const path = req.url ?? '';
    paths.push(path);
    if (path === '/v3/index.json') return json(res, { version: '3.0.0', resources: [{ '@id': BASE, '@type': 'PackageBaseAddress/3.0.0' }] });
    if (path === `/v3-flatcontainer/${PACKAGE}/index.json`) return json(res, { versions: [opts.version] });
    if (!opts.missingPackage && path === `/v3-flatcontainer/${PACKAGE}/${opts.version}/${PACKAGE}.${opts.version}.nupkg`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(nupkg);
    }
    res.writeHead(404).end();
  });
  const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    tunnels.push(req.url ?? '');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    feed.emit('connection', socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    proxyUrl,
    tunnels,
    paths,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env, GLOBAL_AGENT_HTTP_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: FAKE_NUGET_CA };
      // The flags the install script reads come only from each case, never from the shell running the tests.
      for (const key of Object.keys(env)) if (/^(npm_config_)?onnxruntime_node_install/i.test(key)) delete env[key];
      for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
      else env[k] = v;
      return env;
    },
    async close() {
      proxy.closeAllConnections();
      feed.closeAllConnections();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => feed.close(r))]);
    },
  };
}
