// A WebSub hub stand-in on a loopback address that records the publish pings it receives, and
// answers them as `behaviour.status` says (204, a hub that takes them; 503, one that is down).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubStandIn {
  /** The hub's URL, for `server.websubHub`. */
  url: string;
  /** Each ping's form body, in arrival order. */
  pings: URLSearchParams[];
  /** Each ping's arrival, by Date.now(). */
  pingedAt: number[];
  behaviour: { status: number };
  close(): void;
}

export async function startHubStandIn(): Promise<HubStandIn> {
  const pings: URLSearchParams[] = [];
  const pingedAt: number[] = [];
  const behaviour = { status: 204 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      pings.push(new URLSearchParams(body));
      pingedAt.push(Date.now());
      res.writeHead(behaviour.status).end();
    });
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`, pings, pingedAt, behaviour, close: () => server.close() };
}
