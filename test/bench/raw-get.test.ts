import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawGetter } from '../../bench/raw-get.js';

const servers: (HttpServer | TcpServer)[] = [];

async function listen<T extends HttpServer | TcpServer>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A TCP server that answers the first request on each connection with these bytes. */
function answering(bytes: string, then: 'keep' | 'close' = 'keep'): TcpServer {
  return createTcpServer((socket) => {
    socket.once('data', () => (then === 'close' ? socket.end(bytes, 'latin1') : socket.write(bytes, 'latin1')));
  });
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('rawGetter', () => {
  it('reads each answer whole over one connection, however its body is cut into writes', async () => {
    const sizes = [0, 1, 70_000, 200_003];
    let connections = 0;
    const paths: string[] = [];
    const server = createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      const size = sizes[(paths.length - 1) % sizes.length]!;
      const body = Buffer.alloc(size, 'x');
      res.writeHead(200, { 'Content-Length': size });
      // In pieces, with a pause, so the client meets a body spread over many reads.
      res.write(body.subarray(0, size >> 1));
      setTimeout(() => res.end(body.subarray(size >> 1)), 2);
    });
    server.on('connection', () => connections++);
    const client = await rawGetter(`${await listen(server)}/topics/nato.rss?limit=5&q=a%20b`);
    try {
      const answers = [];
      for (let i = 0; i < sizes.length * 2; i++) answers.push(await client.get());
      expect(answers).toEqual([...sizes, ...sizes].map((bytes) => ({ status: 200, bytes, coding: null })));
    } finally {
      client.close();
    }
    expect(connections).toBe(1);
    expect(new Set(paths)).toEqual(new Set(['/topics/nato.rss?limit=5&q=a%20b']));
  });

  it('sends the headers it is given with each request, and reads each answer\'s coding', async () => {
    const asked: (string | undefined)[] = [];
    const server = createHttpServer((req, res) => {
      asked.push(req.headers['accept-encoding']);
      const coded = asked.length % 2 === 1;
      res.writeHead(200, coded ? { 'Content-Length': 4, 'Content-Encoding': 'gzip' } : { 'Content-Length': 4 }).end('abcd');
    });
    const client = await rawGetter(`${await listen(server)}/`, { 'Accept-Encoding': 'gzip' });
    try {
      expect(await client.get()).toEqual({ status: 200, bytes: 4, coding: 'gzip' });
      expect(await client.get()).toEqual({ status: 200, bytes: 4, coding: null });
    } finally {
      client.close();
    }
    expect(asked).toEqual(['gzip', 'gzip']);
  });

  it('takes a 304 and a 204 as bodiless, and reads the next answer on the same connection', async () => {
    const statuses = [304, 204, 404];
    let served = 0;
    const server = createHttpServer((_req, res) => {
      const status = statuses[served++]!;
      if (status === 404) res.writeHead(404, { 'Content-Length': 9 }).end('not found');
      else res.writeHead(status, { ETag: '"a"' }).end();
    });
    const client = await rawGetter(`${await listen(server)}/`);
    try {
      expect(await client.get()).toEqual({ status: 304, bytes: 0, coding: null });
      expect(await client.get()).toEqual({ status: 204, bytes: 0, coding: null });
      expect(await client.get()).toEqual({ status: 404, bytes: 9, coding: null });
    } finally {
      client.close();
    }
  });

  it('reads a chunked body, its chunks and trailers cut anywhere, then the next answer', async () => {
    const sizes = [1, 5_000, 100_000];
    let served = 0;
    const server = createHttpServer((_req, res) => {
      if (served++ === 1) {
        res.writeHead(200, { 'Content-Length': 3 }).end('abc');
        return;
      }
      // No length: node:http sends these writes as chunks, and the trailer after the last one.
      res.writeHead(200, { Trailer: 'X-Sum' });
      for (const size of sizes) res.write(Buffer.alloc(size, 'y'));
      res.addTrailers({ 'X-Sum': 'done' });
      res.end();
    });
    const client = await rawGetter(`${await listen(server)}/`);
    try {
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(await client.get()).toEqual({ status: 200, bytes: total, coding: null });
      expect(await client.get()).toEqual({ status: 200, bytes: 3, coding: null });
      expect(await client.get()).toEqual({ status: 200, bytes: total, coding: null });
    } finally {
      client.close();
    }
  });

  it('reads a chunked body sent a byte at a time, with chunk extensions', async () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=x\r\nabcd\r\nA\r\n0123456789\r\n0\r\nX-A: 1\r\n\r\n';
    const server = createTcpServer((socket) => {
      socket.once('data', async () => {
        for (const byte of wire) {
          socket.write(byte, 'latin1');
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
    });
    const client = await rawGetter(`${await listen(server)}/`);
    try {
      expect(await client.get()).toEqual({ status: 200, bytes: 14, coding: null });
    } finally {
      client.close();
    }
  });

  it.each([
    ['a connection closed before the body ends', answering('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'close'), /closed the connection/],
    ['more bytes than the Content-Length', answering('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabcd'), /2 bytes past the body's end/],
    ['a body with neither length nor chunks', answering('HTTP/1.1 200 OK\r\n\r\nabcd'), /neither Content-Length nor chunked encoding/],
    ['a chunk size that is not hex', answering('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'), /bad chunk size line/],
    ['chunk data longer than its size', answering('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'), /chunk data not followed by CRLF/],
    ['an answer that is not HTTP', answering('SSH-2.0-OpenSSH_9.2\r\n\r\n'), /not an HTTP\/1.x answer/],
  ])('fails on %s', async (_what, server, reason) => {
    const client = await rawGetter(`${await listen(server)}/`);
    await expect(client.get()).rejects.toThrow(reason);
    client.close();
  });

  it('fails to start when nothing listens, and on a URL it cannot speak to', async () => {
    const server = createHttpServer();
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    servers.splice(0);
    await expect(rawGetter(url)).rejects.toThrow(/ECONNREFUSED/);
    await expect(rawGetter('https://127.0.0.1:1/')).rejects.toThrow(/https: is not supported/);
  });
});
