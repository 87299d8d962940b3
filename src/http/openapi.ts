import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { ENTRIES_TOLD_APART_BY, feedBodySchema, feedEditSchema, feedsQuerySchema } from './feeds.js';
import { itemsQuerySchema, STORED_AFTER_SCAN_BUDGET, storiesQuerySchema } from './items.js';
import { previewBodySchema, topicBodySchema, topicEditSchema } from './topics.js';

extendZodWithOpenApi(z);

// Response shapes, documented here and checked against real responses in test/http/openapi.test.ts.
const feedRef = z.object({ id: z.number().int(), title: z.string().nullable() });
const topicMatch = z.object({ slug: z.string(), terms: z.array(z.string()) });
const item = z.object({
  id: z.number().int(), title: z.string(), url: z.string().nullable(), summary: z.string(),
  publishedAt: z.string().nullable(), updatedAt: z.string().nullable(), sortAt: z.string(), firstSeenAt: z.string(),
  feed: feedRef, authors: z.array(z.string()), categories: z.array(z.string()), language: z.string().nullable(),
  topics: z.array(topicMatch), storyId: z.number().int().nullable(),
  alsoReportedBy: z.array(z.object({ itemId: z.number().int(), feed: feedRef, url: z.string().nullable() })),
}).openapi('Item');
const databaseId = z.string().openapi({ description: "this database's history: send it back as databaseId with afterId, afterEdit or afterDeletion, so that a restore from a backup is followed" });
const itemsByTime = z.object({
  items: z.array(item), nextCursor: z.string().nullable(),
  newestId: z.number().int().openapi({ description: 'the largest id given to an item (the newest stored, unless deleted since): afterId for what is stored next' }),
  newestEdit: z.number().int().openapi({ description: 'the number of the latest edit made: afterEdit for the edits made next' }),
  newestDeletion: z.number().int().openapi({ description: 'the number of the latest deletion of an item: afterDeletion for the deletions made next' }),
  databaseId,
}).openapi('ItemsByTime');
// On a page followed with topic: what the topic's matches are made under.
const topicMatching = {
  topicMatchedAs: z.string().optional().openapi({ description: "with topic: what the topic's matches are made under; it changes when every item is "
    + 'matched again (its query edited, a feed its query names renamed): list the topic anew once topicRematching is false' }),
  topicRematching: z.boolean().optional().openapi({ description: 'with topic: whether every item is being matched again' }),
};
const itemsStoredAfter = z.object({
  items: z.array(item),
  nextAfterId: z.number().int().openapi({ description: 'afterId for the next request: the last item shown, or the last id looked at' }),
  more: z.boolean().openapi({ description: 'whether more was stored past nextAfterId: ask again at once' }),
  databaseId,
  ...topicMatching,
}).openapi('ItemsStoredAfter');
const itemsEditedAfter = z.object({
  items: z.array(item.extend({
    editId: z.number().int().openapi({ description: "the number of the item's latest edit" }),
    editedAt: z.string().openapi({ description: 'when the edit was fetched' }),
  })),
  nextAfterEdit: z.number().int().openapi({ description: 'afterEdit for the next request: the last edit shown, or the last number looked at' }),
  more: z.boolean().openapi({ description: 'whether more was edited past nextAfterEdit: ask again at once' }),
  databaseId,
  ...topicMatching,
}).openapi('ItemsEditedAfter');
const itemsDeletedAfter = z.object({
  items: z.array(z.object({
    id: z.number().int().openapi({ description: 'the id the item had' }),
    feed: z.object({ id: z.number().int() }),
    deletionId: z.number().int().openapi({ description: "the deletion's number" }),
    deletedAt: z.string().openapi({ description: 'when the item was deleted' }),
  })),
  nextAfterDeletion: z.number().int().openapi({ description: 'afterDeletion for the next request: the last deletion shown, or the last number looked at' }),
  more: z.boolean().openapi({ description: 'whether more was deleted past nextAfterDeletion: ask again at once' }),
  databaseId,
  ...topicMatching,
}).openapi('ItemsDeletedAfter');
const fullItem = item.extend({
  contentHtml: z.string(), guid: z.string().nullable(),
  enclosures: z.array(z.object({ url: z.string(), type: z.string().nullable(), length: z.number().nullable() })),
}).openapi('FullItem');
const feedLinks = z.object({ rss: z.string(), atom: z.string(), json: z.string() });
const topic = z.object({
  slug: z.string(), title: z.string(), query: z.string(), origin: z.enum(['config', 'api']), pinned: z.boolean(),
  itemCount: z.number().int(), recentItemCount: z.number().int(), feeds: feedLinks,
}).openapi('Topic');
const savedTopic = z.object({
  slug: z.string(), title: z.string(), query: z.string(), origin: z.literal('api'), pinned: z.boolean(), feeds: feedLinks,
}).openapi('SavedTopic');
const feed = z.object({
  id: z.number().int(), url: z.string(), title: z.string().nullable(), siteUrl: z.string().nullable(),
  origin: z.enum(['config', 'api']), disabled: z.boolean(), itemCount: z.number().int(),
  state: z.enum(['waiting', 'ok', 'failing', 'disabled']).openapi({ description: 'never fetched, last fetch good, last fetch failed, or not fetched' }),
  intervalMinutes: z.number().int().nullable().openapi({ description: 'the interval the feed is fetched on, set for it; null: the one its publishing rate sets' }),
  status: z.object({
    lastFetchedAt: z.string().nullable(), httpStatus: z.number().int().nullable(), ok: z.boolean(),
    error: z.object({ kind: z.string(), message: z.string() }).nullable(),
    consecutiveFailures: z.number().int(), nextFetchAt: z.string().nullable(),
    movedTo: z.string().nullable().openapi({ description: "where the last fetch's permanent redirects led, when the feed's URL stayed: a config file's feed (change its URL in the file; its items are kept) or a move onto another feed's URL" }),
    entriesToldApartBy: z.enum(ENTRIES_TOLD_APART_BY).openapi({ description: 'how the feed\'s entries are told apart: by guid (else link, else title and date); by link, once the feed gave one guid to different entries; by link, title and date, once it also gave them one link' }),
  }),
  websub: z.object({
    hub: z.string().openapi({ description: 'the WebSub hub the feed\'s last fetch named: its Link header, else its document' }),
    topic: z.string().openapi({ description: 'the feed\'s address at the hub: its rel="self", else its URL' }),
    subscription: z.object({
      state: z.enum(['new', 'requested', 'verified', 'denied', 'failed']).openapi({ description: 'not asked yet; asked, not confirmed; confirmed by the hub; refused by the hub; the hub could not be reached or refused the request' }),
      leaseExpiresAt: z.string().nullable(), error: z.string().nullable(),
      lastNotifiedAt: z.string().nullable().openapi({ description: 'when the hub last said the feed changed' }),
      notifications: z.number().int(),
      changesAnnounced: z.number().int().openapi({ description: 'the changes the feed\'s fetches found in a row that the hub had announced first; from 3, with the subscription verified, the feed is polled every ingest.websub.trustedPollMinutes' }),
      lastUnannouncedChangeAt: z.string().nullable().openapi({ description: 'when a fetch last found a change the hub had not announced' }),
    }).nullable().openapi({ description: 'null unless ingest.websub.subscribe is on' }),
  }).nullable().openapi({ description: 'null when the feed names no hub' }),
}).openapi('Feed');
const story = z.object({
  id: z.number().int(), title: z.string(), url: z.string().nullable(), summary: z.string(), sortAt: z.string(),
  items: z.array(z.object({ itemId: z.number().int(), feed: feedRef, url: z.string().nullable() })),
}).openapi('Story');
const preview = z.object({
  query: z.string(), count: z.number().int(), scanned: z.number().int(),
  items: z.array(item.extend({ matchedTerms: z.array(z.string()), highlightedTitle: z.string(), highlightedSummary: z.string() })),
}).openapi('TopicPreview');
const problem = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
}).openapi('Problem');

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'a problem', content: { 'application/problem+json': { schema: problem } } }]));
const text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });
const admin = [{ adminToken: [] }];
const feedFile = z.object({ file: z.string().openapi({ description: 'all.rss, all.atom or all.json; all alone is redirected to the format the Accept header prefers' }) });
const topicFile = z.object({ file: z.string().openapi({ description: '{slug}.rss, .atom or .json; {slug} alone is redirected to the format the Accept header prefers' }) });
const feedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), before: z.string().optional() });
const slug = z.object({ slug: z.string() });
const id = z.object({ id: z.coerce.number().int().positive() });

export function buildOpenApiDocument(baseUrl: string) {
  const r = new OpenAPIRegistry();
  r.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'FEEDSIEVE_ADMIN_TOKEN' });
  const feedResponses = { 200: text('application/rss+xml', 'the feed (RSS, Atom or JSON Feed by extension)'), 304: { description: 'not modified' }, ...problems(400, 404) };

  r.registerPath({ method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: json(z.object({ status: z.literal('ok') }), 'alive') } });
  r.registerPath({ method: 'get', path: '/readyz', summary: 'Readiness: database, scheduler, last tick', responses: {
    200: json(z.object({ status: z.string(), database: z.string(), scheduler: z.string(), lastIngestTickAt: z.string().nullable() }), 'ready'),
    503: { description: 'not ready' } } });
  r.registerPath({ method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: text('text/plain', 'Prometheus text format') } });
  r.registerPath({ method: 'get', path: '/', summary: 'Subscribe page', responses: { 200: text('text/html', 'HTML page') } });
  r.registerPath({ method: 'get', path: '/opml', summary: 'OPML of every topic feed', responses: { 200: text('text/x-opml', 'OPML 2.0') } });
  r.registerPath({ method: 'get', path: '/topics/{file}', summary: 'A topic feed', request: { params: topicFile, query: feedQuery },
    responses: {
      ...feedResponses,
      301: { description: 'the slug asked for with capitals: Location is the feed under its lowercase slug' },
      302: { description: 'the slug alone, with no extension: Location is its feed in the format the Accept header prefers (RSS when it names none)' },
    } });
  r.registerPath({ method: 'get', path: '/feeds/{file}', summary: 'Everything: all.rss, all.atom, all.json', request: { params: feedFile, query: feedQuery },
    responses: { ...feedResponses, 302: { description: 'all alone, with no extension: Location is the feed in the format the Accept header prefers (RSS when it names none)' } } });
  r.registerPath({ method: 'get', path: '/api/openapi.json', summary: 'This document', responses: { 200: json(z.object({}).passthrough(), 'OpenAPI 3.1') } });
  r.registerPath({ method: 'get', path: '/api/items', summary: 'Items, newest first; with afterId, the items stored after that one, as stored; with afterEdit, the items edited since; with afterDeletion, the items deleted since',
    description: 'Without afterId, items by time, newest first, paged back with nextCursor; newestId is where a client that follows what is stored starts, newestEdit where one that follows edits does, newestDeletion where one that follows deletions does. '
      + 'With afterId, the items stored after that item, oldest first, with nextAfterId to ask from next; a late-dated item, which a listing by time puts among older ones, is never missed. '
      + 'With afterEdit, the items whose feed changed them after that edit, as each edit left them, in the order edited, with nextAfterEdit to ask from next; an item edited again comes again, at its new editId; with topic, an item an edit took out of the topic comes too, with the topics it is in now. '
      + 'With afterDeletion, the items deleted after that deletion (by retention, or with their feed), in the order deleted, each by its id, with nextAfterDeletion to ask from next; with topic, those that were in the topic when deleted. '
      + 'Deletions are kept as long as items are (retention.maxAgeDays): an afterDeletion older than the oldest kept is answered 410, and the client lists the items again. '
      + `One such request looks at ${STORED_AFTER_SCAN_BUDGET.toLocaleString('en-US')} ids, edit or deletion numbers at most, so a page can be short while more is true; `
      + 'an afterId, afterEdit or afterDeletion past every one the database has given (from another database, or from before a restore) is answered 409. '
      + 'Sent with the databaseId the response gave, a mark from before a restore goes on from the last item, edit or deletion the backup held, and one from another database is answered 409. '
      + 'With q, a search: searches share a part of the server\'s time, past which they are answered 503 with Retry-After.',
    request: { query: itemsQuerySchema },
    responses: { 200: json(z.union([itemsByTime, itemsStoredAfter, itemsEditedAfter, itemsDeletedAfter]), 'a page of items'), ...problems(400, 404, 409, 410, 503) } });
  r.registerPath({ method: 'get', path: '/api/items/{id}', summary: 'One item in full', request: { params: id },
    responses: { 200: json(fullItem, 'the item'), ...problems(400, 404) } });
  r.registerPath({ method: 'get', path: '/api/stories', summary: 'Stories, each once, with every source', request: { query: storiesQuerySchema },
    responses: { 200: json(z.object({ stories: z.array(story), nextCursor: z.string().nullable() }), 'a page of stories'), ...problems(400, 404) } });
  r.registerPath({ method: 'get', path: '/api/topics', summary: 'Every topic', responses: { 200: json(z.object({ topics: z.array(topic) }), 'topics') } });
  r.registerPath({ method: 'post', path: '/api/topics', summary: 'Create a topic', security: admin,
    request: { body: { content: { 'application/json': { schema: topicBodySchema } } } },
    responses: { 201: json(savedTopic, 'created'), ...problems(400, 401, 403, 409, 413, 415) } });
  r.registerPath({ method: 'post', path: '/api/topics/preview', summary: 'What a query would match, without saving',
    request: { body: { content: { 'application/json': { schema: previewBodySchema } } } },
    responses: { 200: json(preview, 'matches'), ...problems(400, 413, 415, 503) } });
  r.registerPath({ method: 'get', path: '/api/topics/{slug}', summary: 'One topic', request: { params: slug },
    responses: { 200: json(topic, 'the topic'), ...problems(404) } });
  r.registerPath({ method: 'put', path: '/api/topics/{slug}', summary: 'Create or edit a topic (a config file\'s topic is refused: 409)', security: admin,
    request: { params: slug, body: { content: { 'application/json': { schema: topicEditSchema } } } },
    responses: { 200: json(savedTopic, 'edited'), 201: json(savedTopic, 'created'), ...problems(400, 401, 403, 409, 413, 415) } });
  r.registerPath({ method: 'delete', path: '/api/topics/{slug}', summary: 'Delete a topic and its matches (a config file\'s topic is refused: 409)', security: admin,
    request: { params: slug }, responses: { 204: { description: 'deleted' }, ...problems(401, 403, 404, 409) } });
  r.registerPath({ method: 'get', path: '/api/feeds', summary: 'Every feed with its fetch status, or those in one state', request: { query: feedsQuerySchema },
    responses: { 200: json(z.object({ feeds: z.array(feed) }), 'feeds'), ...problems(400) } });
  r.registerPath({ method: 'post', path: '/api/feeds', summary: 'Add a feed (a web page URL is searched for its feed)', security: admin,
    request: { body: { content: { 'application/json': { schema: feedBodySchema } } } },
    responses: { 201: json(feed, 'added'), ...problems(400, 401, 403, 409, 413, 415, 422) } });
  r.registerPath({ method: 'get', path: '/api/feeds.opml', summary: 'Every feed as OPML', responses: { 200: text('text/x-opml', 'OPML 2.0') } });
  r.registerPath({ method: 'post', path: '/api/feeds.opml', summary: 'Add the http(s) feeds of an OPML document (a reader\'s export); fetched as the pass gets to them', security: admin,
    request: { body: { content: { 'text/x-opml': { schema: z.string() } } } },
    responses: {
      200: json(z.object({
        added: z.array(feed),
        skipped: z.array(z.object({ url: z.string(), reason: z.enum(['not an http(s) URL', 'already subscribed']) })),
      }), 'what was added, and what was not and why'),
      ...problems(401, 403, 413, 415, 422),
    } });
  r.registerPath({ method: 'get', path: '/api/feeds/{id}', summary: 'One feed with its fetch status', request: { params: id },
    responses: { 200: json(feed, 'the feed'), ...problems(400, 404) } });
  r.registerPath({ method: 'patch', path: '/api/feeds/{id}', summary: 'Change a feed: its URL (its items kept), title, or whether it is fetched; enabling it fetches it at once', security: admin,
    request: { params: id, body: { content: { 'application/json': { schema: feedEditSchema } } } },
    responses: { 200: json(feed, 'changed'), ...problems(400, 401, 403, 404, 409, 413, 415, 422) } });
  r.registerPath({ method: 'post', path: '/api/feeds/{id}/refresh', summary: 'Fetch a feed now, whatever its schedule or back-off (or when the pass under way ends)', security: admin,
    request: { params: id }, responses: { 202: json(feed, 'queued: the feed is due now'), ...problems(400, 401, 403, 404, 409, 415) } });
  r.registerPath({ method: 'delete', path: '/api/feeds/{id}', summary: 'Delete a feed and its items (a config file\'s feed is refused: 409)', security: admin,
    request: { params: id }, responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404, 409) } });
  r.registerPath({ method: 'post', path: '/hub', summary: 'WebSub (https://www.w3.org/TR/websub/): subscribe a callback to one of the service\'s feeds, or unsubscribe it; the service\'s own hub, server.hub',
    request: { body: { content: { 'application/x-www-form-urlencoded': { schema: z.object({
      'hub.mode': z.enum(['subscribe', 'unsubscribe']),
      'hub.topic': z.string().openapi({ description: 'the feed, by the address it names itself by (rel="self")' }),
      'hub.callback': z.string().openapi({ description: 'an http(s) URL, at most 2,048 characters, no fragment' }),
      'hub.lease_seconds': z.string().optional().openapi({ description: 'granted between an hour and server.hub.leaseSeconds' }),
      'hub.secret': z.string().optional().openapi({ description: 'under 200 bytes: each feed sent is signed with it (X-Hub-Signature: sha256=…)' }),
    }) } } } },
    responses: {
      202: { description: 'accepted: the callback is asked to confirm it, by echoing a challenge' },
      400: text('text/plain', 'the reason the request was refused'),
      404: { description: 'hub.topic is not a feed of the service\'s (text/plain), or the service is not a hub (server.hub.enabled off: application/problem+json)' },
      503: text('text/plain', 'the hub holds as many subscriptions as it may, or is busy'),
    } });
  r.registerPath({ method: 'delete', path: '/api/hub/subscriptions/{id}', summary: 'End a subscription held at the service\'s own WebSub hub; its callback is told (hub.mode=denied) while the hub is on', security: admin,
    request: { params: id }, responses: { 204: { description: 'ended' }, ...problems(400, 401, 403, 404) } });
  r.registerPath({ method: 'get', path: '/api/hub/subscriptions', summary: 'The subscriptions held at the service\'s own WebSub hub (server.hub), whose lease holds', security: admin,
    responses: { 200: json(z.object({ subscriptions: z.array(z.object({
      id: z.number().int(), topic: z.string().openapi({ description: 'the feed subscribed to, by the address it names itself by' }),
      callback: z.string().openapi({ description: 'where the feed is sent, its credentials redacted' }),
      leaseExpiresAt: z.string(), subscribedAt: z.string(),
      deliveredAt: z.string().nullable().openapi({ description: 'when the callback last took the feed' }),
      failures: z.number().int().openapi({ description: 'deliveries in a row the callback did not take' }),
      error: z.string().nullable().openapi({ description: 'why the last of them failed' }),
      retryAt: z.string().nullable().openapi({ description: 'when the feed is sent again, the last delivery having failed; null for none pending' }),
    })), sender: z.string().nullable().openapi({
      description: 'the serve process that sends the hub\'s deliveries, as host:pid:tag (the holder of the hub\'s lease); null when none does',
    }) }), 'subscriptions'), ...problems(401, 403) } });

  return new OpenApiGeneratorV31(r.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'feedsieve', version: '0.1.0', description: 'Topic feeds across many sources, and queries over recent items.' },
    servers: [{ url: baseUrl }],
  });
}

export function openApiRouter(baseUrl: string): Router {
  const router = Router();
  const document = JSON.stringify(buildOpenApiDocument(baseUrl));
  router.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  return router;
}
