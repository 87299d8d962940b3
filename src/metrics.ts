import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RefreshReport } from './ingest/refresh.js';
import type { Store } from './store/index.js';

/** The Prometheus series feedsieve exports; one registry per process (tests make their own). */
export function createMetrics(store: Pick<Store, 'sizeBytes' | 'feedStateCounts' | 'webSubStateCounts' | 'hubSubscriptionCount'>) {
  const registry = new Registry();
  const fetches = new Counter({
    name: 'feedsieve_feed_fetches_total',
    help: 'Feed fetches by outcome (stored, not-modified, unchanged-body, or the error kind)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const fetchSeconds = new Histogram({
    name: 'feedsieve_feed_fetch_duration_seconds',
    help: 'Time to fetch, parse and store one feed',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const items = new Counter({
    name: 'feedsieve_items_total',
    help: 'Entries seen at ingest: new, updated, or duplicate (already stored unchanged)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const topicMatches = new Counter({
    name: 'feedsieve_topic_feed_changes_total',
    help: 'Topic feeds that gained or lost an item at ingest',
    registers: [registry],
  });
  const lastTick = new Gauge({
    name: 'feedsieve_last_ingest_tick_timestamp_seconds',
    help: 'When the last ingest pass started',
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'feedsieve_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: 'feedsieve_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'feedsieve_database_size_bytes',
    help: 'Size of the SQLite database file',
    registers: [registry],
    async collect() {
      this.set(await store.sizeBytes());
    },
  });
  stateGauge(registry, 'feedsieve_feeds', 'Feeds by state: waiting (never fetched), ok, failing (last fetch failed), disabled',
    () => store.feedStateCounts());
  stateGauge(registry, 'feedsieve_websub_subscriptions',
    'Feeds\' subscriptions at the WebSub hubs they name, by state: new, requested, verified, denied, failed', () => store.webSubStateCounts());
  const websubNotifications = new Counter({
    name: 'feedsieve_websub_notifications_total',
    help: 'WebSub hubs\' notifications that a feed changed: accepted (signed with the subscription\'s secret), or ignored',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'feedsieve_hub_subscriptions',
    help: 'Subscriptions held at the service\'s own WebSub hub (server.hub) whose lease holds',
    registers: [registry],
    async collect() {
      this.set(await store.hubSubscriptionCount(new Date()));
    },
  });
  let hubSending: () => boolean = () => false;
  new Gauge({
    name: 'feedsieve_hub_sending',
    help: 'Whether this process sends the service\'s own WebSub hub\'s deliveries: 1 for the one serve of those over a database that does',
    registers: [registry],
    collect() {
      this.set(hubSending() ? 1 : 0);
    },
  });
  const hubDeliveries = new Counter({
    name: 'feedsieve_hub_deliveries_total',
    help: 'Feeds the service\'s own WebSub hub sent its subscribers: delivered (the callback took it) or failed',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const websubChanges = new Counter({
    name: 'feedsieve_websub_changes_total',
    help: 'Changes found by fetches of feeds subscribed at a WebSub hub: announced (the hub said so first) or not',
    labelNames: ['announced'] as const,
    registers: [registry],
  });

  return {
    registry,
    recordFetch(report: RefreshReport): void {
      fetches.inc({ outcome: report.error ? report.error.kind : report.status });
      fetchSeconds.observe(report.durationMs / 1000);
      if (report.inserted) items.inc({ kind: 'new' }, report.inserted);
      if (report.updated) items.inc({ kind: 'updated' }, report.updated);
      if (report.unchanged) items.inc({ kind: 'duplicate' }, report.unchanged);
      if (report.touchedTopics.length) topicMatches.inc(report.touchedTopics.length);
      if (report.hubChange !== null) websubChanges.inc({ announced: String(report.hubChange === 'announced') });
    },
    /** Where the gauge of whether this process sends the hub's deliveries reads it. */
    watchHubSending(sends: () => boolean): void {
      hubSending = sends;
    },
    recordHubDelivery(outcome: 'delivered' | 'failed'): void {
      hubDeliveries.inc({ outcome });
    },
    recordWebSubNotification(outcome: 'accepted' | 'ignored'): void {
      websubNotifications.inc({ outcome });
    },
    recordTick(at: Date): void {
      lastTick.set(at.getTime() / 1000);
    },
    recordRequest(method: string, route: string, status: number, seconds: number): void {
      httpRequests.inc({ method, route, status: String(status) });
      httpSeconds.observe({ method, route }, seconds);
    },
  };
}

/** A gauge of counts by state, read from the store when scraped. */
function stateGauge(registry: Registry, name: string, help: string, counts: () => Promise<Record<string, number>>): void {
  new Gauge({
    name, help, labelNames: ['state'] as const, registers: [registry],
    async collect() {
      for (const [state, count] of Object.entries(await counts())) this.set({ state }, count);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;
