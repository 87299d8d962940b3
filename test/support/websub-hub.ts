// A WebSub hub on a loopback address that treats subscribers as the W3C recommendation has hubs do:
// a subscription request is answered 202, then verified by a GET to its callback with a challenge
// that the callback must echo; a refusal is sent to the callback as hub.mode=denied; publishing
// POSTs the content to each verified subscriber's callback, signed with its secret.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubSubscriber {
  callback: string;
  topic: string;
  secret: string;
  leaseSeconds: number;
}

export interface HubVerification {
  mode: string;
  topic: string;
  callback: string;
  status: number;
  /** Whether the callback's body was the challenge, exactly. */
  echoed: boolean;
}

export interface WebSubHubStandIn {
  url: string;
  /** Every subscription request's form, in arrival order. */
  requests: URLSearchParams[];
  verifications: HubVerification[];
  /** The subscribers whose callbacks confirmed, by topic. */
  subscribers(topic: string): HubSubscriber[];
  /**
   * How the hub treats the requests that follow: `refuse` answers them so; `deny` accepts them and
   * then tells the callback it refused; `leaseSeconds` is the lease it grants (default: what was asked);
   * `hang` reads them and never answers.
   */
  behaviour: { refuse?: { status: number; body: string }; deny?: string; leaseSeconds?: number; hang?: boolean };
  /** Resolves once every verification under way has its answer. */
  settled(): Promise<void>;
  /** POSTs `body` to each subscriber of `topic`, signed (or with `signature` as given); their statuses. */
  publish(topic: string, body: string, signature?: string): Promise<number[]>;
  close(): Promise<void>;
}

export async function startWebSubHub(): Promise<WebSubHubStandIn> {
  const requests: URLSearchParams[] = [];
  const verifications: HubVerification[] = [];
  const verified = new Map<string, HubSubscriber>();
  const pending = new Set<Promise<void>>();
  const behaviour: WebSubHubStandIn['behaviour'] = {};

  /** What a callback answers a GET: its status and body, status 0 for no answer. */
  const ask = async (target: URL): Promise<{ status: number; body: string }> => {
    try {
      const response = await fetch(target);
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 0, body: '' };
    }
  };

  const verify = async (form: URLSearchParams) => {
    const callback = form.get('hub.callback')!;
    const topic = form.get('hub.topic')!;
    const mode = form.get('hub.mode')!;
    const challenge = `challenge-${Math.random().toString(36).slice(2)}`;
    const target = new URL(callback);
    if (behaviour.deny !== undefined) {
      target.searchParams.set('hub.mode', 'denied');
      target.searchParams.set('hub.topic', topic);
      target.searchParams.set('hub.reason', behaviour.deny);
      const { status } = await ask(target);
      verifications.push({ mode: 'denied', topic, callback, status, echoed: false });
      return;
    }
    const leaseSeconds = behaviour.leaseSeconds ?? Number(form.get('hub.lease_seconds') ?? 0);
    target.searchParams.set('hub.mode', mode);
    target.searchParams.set('hub.topic', topic);
    target.searchParams.set('hub.challenge', challenge);
    if (mode === 'subscribe') target.searchParams.set('hub.lease_seconds', String(leaseSeconds));
    const { status, body } = await ask(target);
    const echoed = body === challenge;
    verifications.push({ mode, topic, callback, status, echoed });
    if (status < 200 || status > 299 || !echoed) return;
    if (mode === 'subscribe') verified.set(callback, { callback, topic, secret: form.get('hub.secret') ?? '', leaseSeconds });
    else verified.delete(callback);
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      if (behaviour.hang) return;
      if (behaviour.refuse) {
        res.writeHead(behaviour.refuse.status, { 'content-type': 'text/plain' }).end(behaviour.refuse.body);
        return;
      }
      res.writeHead(202).end();
      const verifying = verify(form).finally(() => pending.delete(verifying));
      pending.add(verifying);
    });
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`,
    requests,
    verifications,
    behaviour,
    subscribers: (topic) => [...verified.values()].filter((subscriber) => subscriber.topic === topic),
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async publish(topic, body, signature) {
      const statuses: number[] = [];
      for (const subscriber of [...verified.values()].filter((candidate) => candidate.topic === topic)) {
        const signed = `sha256=${createHmac('sha256', subscriber.secret).update(body).digest('hex')}`;
        const response = await fetch(subscriber.callback, {
          method: 'POST', body,
          headers: { 'content-type': 'application/rss+xml', 'x-hub-signature': signature ?? signed, link: `<${topic}>; rel="self"` },
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      return statuses;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
