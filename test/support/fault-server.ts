// A real HTTP server on a loopback address whose routes misbehave on purpose: slow bodies,
// dropped connections, compression, redirects, rate limits. It records every request so a
// test can assert what the client sent (conditional-GET headers, how often a path was hit).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

export interface FaultBehaviour {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send no Content-Length (chunked encoding): the client learns the size only by reading. */
  chunked?: boolean;
  /** Compress the body with this coding and say so in Content-Encoding. */
  encoding?: 'gzip' | 'deflate' | 'br';
  /** Send the body `bytes` (default 1) at a time, one write every `intervalMs`. */
  drip?: { intervalMs: number; bytes?: number };
  /** Announce the full Content-Length, send `afterBytes` of the body, then destroy the socket. */
  reset?: { afterBytes: number };
  /** Answer with a redirect (default 302); `to` goes into Location as given, relative or absolute. */
  redirect?: { to: string; status?: RedirectStatus };
  /** Read the request and never answer. */
  hang?: boolean;
  /** Read the request and close the connection without a word. */
  hangUp?: boolean;
  /** Wait this long before sending anything (a slow first byte). */
  delayMs?: number;
}

export interface RecordedRequest {
  /** The request target as sent, query string included. */
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** 1 for the first request to this path, 2 for the second, … */
  hit: number;
}

/** A fixed behaviour, or one chosen per request (e.g. 304 once If-None-Match matches). */
export type FaultRoute = FaultBehaviour | ((request: RecordedRequest) => FaultBehaviour);

export interface FaultServer {
  /** `http://host:port`, no trailing slash. */
  origin: string;
  url(path: string): string;
  /** Add or replace a route after start, e.g. to point at a server started later. */
  route(path: string, route: FaultRoute): void;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  hits(path: string): number;
  /** TCP connections accepted so far, whether or not a request followed. */
  connections(): number;
  /** TCP connections open right now; drops when a client gives up and closes its socket. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Start a fault server on `host` (default 127.0.0.1) and an ephemeral port. Unknown paths get 404. */
export async function startFaultServer(
  routes: Record<string, FaultRoute>,
  options: { host?: string } = {},
): Promise<FaultServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const hitsByPath = new Map<string, number>();
  let connections = 0;
  const open = new Set<Socket>();

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const hit = (hitsByPath.get(path) ?? 0) + 1;
    hitsByPath.set(path, hit);
    const recorded: RecordedRequest = { path, method: req.method ?? 'GET', headers: req.headers, hit };
    requests.push(recorded);
    const route = table.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
      return;
    }
    const behaviour = typeof route === 'function' ? route(recorded) : route;
    if (behaviour.delayMs === undefined) return respond(res, behaviour);
    const timer = setTimeout(() => respond(res, behaviour), behaviour.delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  const address = await listen(server, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    route: (path, route) => void table.set(path, route),
    requests,
    hits: (path) => hitsByPath.get(path) ?? 0,
    connections: () => connections,
    openConnections: () => open.size,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(res: ServerResponse, behaviour: FaultBehaviour): void {
  if (behaviour.hang) return;
  if (behaviour.hangUp) {
    res.socket?.destroy();
    return;
  }
  if (behaviour.redirect) {
    res.writeHead(behaviour.redirect.status ?? 302, { ...behaviour.headers, location: behaviour.redirect.to }).end();
    return;
  }
  const body = encodeBody(Buffer.from(behaviour.body ?? ''), behaviour.encoding);
  const headers: Record<string, string> = behaviour.chunked
    ? { ...behaviour.headers }
    : { 'content-length': String(body.length), ...behaviour.headers };
  if (behaviour.encoding) headers['content-encoding'] = behaviour.encoding;
  res.writeHead(behaviour.status ?? 200, headers);
  if (behaviour.reset) {
    res.write(body.subarray(0, behaviour.reset.afterBytes), () => res.socket?.destroy());
    return;
  }
  if (behaviour.drip) {
    drip(res, body, behaviour.drip.intervalMs, behaviour.drip.bytes ?? 1);
    return;
  }
  res.end(body);
}

function encodeBody(body: Buffer, encoding: FaultBehaviour['encoding']): Buffer {
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  if (encoding === 'br') return brotliCompressSync(body);
  return body;
}

function drip(res: ServerResponse, body: Buffer, intervalMs: number, bytes: number): void {
  res.flushHeaders();
  let offset = 0;
  const timer = setInterval(() => {
    if (offset >= body.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(body.subarray(offset, offset + bytes));
    offset += bytes;
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}

/**
 * A TCP server that accepts connections and never says a word. An https:// URL pointing at it
 * never completes its TLS handshake, which is how a test reaches the connect timeout without
 * leaving the loopback interface.
 */
export async function startSilentServer(
  options: { host?: string } = {},
): Promise<{ port: number; host: string; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  const address = await listen(server, options.host ?? '127.0.0.1');
  let accepted = 0;
  server.on('connection', () => {
    accepted += 1;
  });
  return {
    port: address.port,
    host: address.address,
    connections: () => accepted,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: NetServer, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server.address() as AddressInfo));
  });
}
