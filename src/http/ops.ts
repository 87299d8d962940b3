import { Router } from 'express';
import type { AppDeps } from './deps.js';

/** Liveness, readiness and metrics: what a supervisor and Prometheus scrape. */
export function opsRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const scheduler = deps.scheduler();
    let database = true;
    try {
      await deps.store.ping();
    } catch {
      database = false;
    }
    const ready = database && scheduler.alive;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      database: database ? 'ok' : 'unavailable',
      scheduler: scheduler.alive ? 'running' : 'stopped',
      lastIngestTickAt: scheduler.lastTickAt,
    });
  });

  router.get('/metrics', async (_req, res) => {
    if (!deps.metrics) {
      res.status(404).end();
      return;
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
