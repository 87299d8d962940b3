// A WebSub subscriber's callback on a loopback address, as a reader's server runs one: it confirms
// a hub's verification of intent by echoing the challenge (or refuses to), and keeps what the hub
// sends it.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SubscriberVerification {
  path: string;
  mode: string | null;
  topic: string | null;
  leaseSeconds: string | null;
}

export interface SubscriberDelivery {
  path: string;
  /** When it arrived, by Date.now(). */
  at: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WebSubSubscriberStandIn {
  origin: string;
  /** A callback URL under this server: each path is a subscription of its own. */
  callback(path: string): string;
  verifications: SubscriberVerification[];
  deliveries: SubscriberDelivery[];
  /**
   * `verify`: how verifications are answered: the challenge echoed, 404, or 200 "ok" (an address
   * that takes anything, and never asked); `status`: how deliveries are answered; `hold`: whether
   * deliveries are kept and never answered, as a callback that hangs; `delayMs`: how long a
   * delivery waits for its answer.
   */
  behaviour: { verify: 'echo' | 'refuse' | 'ok'; status: number; hold: boolean; delayMs: number };
  close(): Promise<void>;
}

export async function startWebSubSubscriber(): Promise<WebSubSubscriberStandIn> {
  const verifications: SubscriberVerification[] = [];
  const deliveries: SubscriberDelivery[] = [];
  const behaviour: WebSubSubscriberStandIn['behaviour'] = { verify: 'echo', status: 202, hold: false, delayMs: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://callback.invalid');
    if (req.method === 'GET') {
      verifications.push({ path: url.pathname, mode: url.searchParams.get('hub.mode'), topic: url.searchParams.get('hub.topic'),
        leaseSeconds: url.searchParams.get('hub.lease_seconds') });
      const challenge = url.searchParams.get('hub.challenge');
      if (behaviour.verify === 'ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (behaviour.verify === 'refuse' || challenge === null) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ path: url.pathname, at: Date.now(), headers: req.headers, body: Buffer.concat(chunks) });
      const status = behaviour.status;
      const answer = () => res.writeHead(status).end();
      if (behaviour.hold) return;
      if (behaviour.delayMs > 0) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    callback: (path) => `${origin}${path}`,
    verifications,
    deliveries,
    behaviour,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
