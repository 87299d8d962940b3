import express, { type RequestHandler, Router } from 'express';
import type { AppDeps } from './deps.js';

/**
 * The callbacks WebSub hubs call (ingest.websub.subscribe): a GET to verify a subscription we asked
 * for, a POST when a feed changed. Open to any client, as hubs carry no token: each callback's
 * address holds a random token of its own, and what a POST says is believed only when signed with
 * the subscription's secret. Answers are plain text, as hubs read them.
 */
export function websubCallbackRouter(deps: AppDeps): Router {
  const router = Router();
  const hub = deps.websub;
  if (hub === null) return router;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

  router.get('/websub/:token', async (req, res) => {
    const answer = await hub.verify(req.params.token, {
      mode: text(req.query['hub.mode']), topic: text(req.query['hub.topic']), challenge: text(req.query['hub.challenge']),
      leaseSeconds: text(req.query['hub.lease_seconds']), reason: text(req.query['hub.reason']),
    });
    res.status(answer.status).type('text/plain; charset=utf-8').send(answer.body);
  });

  // A body is read only for a callback that was given out, so that nobody else can have the
  // server read up to a feed's worth of bytes. Any media type: the body is the feed's document,
  // checked only against its signature.
  const givenOut: RequestHandler<{ token: string }> = async (req, res, next) => {
    if (await hub.isCallback(req.params.token)) return next();
    res.status(404).type('text/plain; charset=utf-8').send('no such subscription');
  };
  const notified: RequestHandler<{ token: string }> = async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const answer = await hub.notified(req.params.token, req.get('x-hub-signature'), body);
    if (answer.notification !== undefined) deps.metrics?.recordWebSubNotification(answer.notification);
    if (answer.dueAt !== undefined) deps.onFeedsDue(answer.dueAt);
    res.status(answer.status).type('text/plain; charset=utf-8').send(answer.body);
  };
  router.post('/websub/:token', givenOut, express.raw({ type: () => true, limit: deps.maxFeedBytes }), notified);
  return router;
}
