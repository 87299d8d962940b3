import { Router } from 'express';
import { z } from 'zod';
import { TOPIC_SLUG } from '../config.js';
import type { TopicRecord } from '../model.js';
import { searchItems } from '../search.js';
import type { TopicSummary } from '../store/index.js';
import { highlight } from '../topics/highlight.js';
import { parseQuery } from '../topics/query.js';
import type { AppDeps } from './deps.js';
import { requireAdmin } from './auth.js';
import { badRequest, fromZod, HttpProblem } from './errors.js';
import { itemJson } from './items.js';
import { noTopic } from './no-topic.js';
import { searchingClient, withinSearchBudget } from './search-budget.js';

export const topicBodySchema = z.strictObject({
  slug: z.string().regex(TOPIC_SLUG, 'lowercase letters, digits and dashes'),
  title: z.string().min(1).max(200),
  query: z.string().min(1).max(2000),
  pinned: z.boolean().default(false),
});
export const topicEditSchema = topicBodySchema.omit({ slug: true });
export const previewBodySchema = z.strictObject({
  query: z.string().min(1).max(2000),
  limit: z.number().int().min(1).max(200).default(20),
});

function checkQuery(query: string) {
  const parsed = parseQuery(query);
  if (!parsed.ok) {
    throw badRequest(`invalid query: ${parsed.error.message}`, [{ field: 'body.query', message: parsed.error.message }]);
  }
  return parsed;
}

/**
 * The topic as stored, unless it comes from the config file: then 409, saying where to change it. A
 * config file's topic is the file's: the next start or reload would undo an edit or a delete made
 * here (or, before, an edit made the topic the API's, and later edits of the file were ignored).
 */
async function refuseConfigTopic(deps: AppDeps, slug: string, what: string): Promise<TopicRecord | null> {
  const topic = await deps.store.getTopic(slug);
  if (topic?.origin !== 'config') return topic;
  throw new HttpProblem(409, 'Conflict', `topic "${slug}" comes from the config file: ${what}, then reload serve (SIGHUP)`);
}

function topicLinks(baseUrl: string, slug: string) {
  return { rss: `${baseUrl}/topics/${slug}.rss`, atom: `${baseUrl}/topics/${slug}.atom`, json: `${baseUrl}/topics/${slug}.json` };
}

const PREVIEW_SCAN = 5000;

export function topicsRouter(deps: AppDeps, listTopics: () => Promise<TopicSummary[]>): Router {
  const router = Router();
  const admin = requireAdmin(deps.adminToken);

  router.get('/api/topics', async (_req, res) => {
    const topics = await listTopics();
    res.json({ topics: topics.map((t) => ({ ...t, feeds: topicLinks(deps.baseUrl, t.slug) })) });
  });

  router.get('/api/topics/:slug', async (req, res) => {
    const topic = await deps.store.topicSummary(req.params.slug as string, deps.now());
    if (!topic) throw await noTopic(deps, req.params.slug as string);
    res.json({ ...topic, feeds: topicLinks(deps.baseUrl, topic.slug) });
  });

  // Answers what a topic with this query would hold among recent items, without saving anything.
  router.post('/api/topics/preview', async (req, res) => {
    const body = previewBodySchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    const result = await withinSearchBudget(deps.searchBudget, searchingClient(req), () => searchItems(deps.store, body.data.query, {}, Number.POSITIVE_INFINITY, PREVIEW_SCAN));
    if (!result.ok) throw badRequest(`invalid query: ${result.error.message}`, [{ field: 'body.query', message: result.error.message }]);
    const matched = result.hits;
    res.json({
      query: result.normalized,
      count: matched.length,
      scanned: result.scanned,
      items: matched.slice(0, body.data.limit).map(({ item, terms }) => ({
        ...itemJson(item, []),
        matchedTerms: terms,
        highlightedTitle: highlight(item.title, terms),
        highlightedSummary: highlight(item.summary, terms),
      })),
    });
  });

  router.post('/api/topics', admin, async (req, res) => {
    const body = topicBodySchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    checkQuery(body.data.query);
    if (await deps.store.getTopic(body.data.slug)) {
      throw new HttpProblem(409, 'Conflict', `a topic "${body.data.slug}" already exists; use PUT to edit it`);
    }
    await deps.store.putTopic({ ...body.data, origin: 'api' }, deps.now());
    await deps.onTopicChanged(body.data.slug, body.data.query, true);
    res.status(201).location(`/api/topics/${body.data.slug}`).json({ ...body.data, origin: 'api', feeds: topicLinks(deps.baseUrl, body.data.slug) });
  });

  router.put('/api/topics/:slug', admin, async (req, res) => {
    const slug = z.string().regex(TOPIC_SLUG).safeParse(req.params.slug);
    if (!slug.success) throw badRequest('invalid topic slug', [{ field: 'path.slug', message: 'lowercase letters, digits and dashes' }]);
    const body = topicEditSchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    checkQuery(body.data.query);
    const before = await refuseConfigTopic(deps, slug.data, 'change it there');
    const { created, queryChanged } = await deps.store.putTopic({ slug: slug.data, ...body.data, origin: 'api' }, deps.now());
    // A new title changes the feed, a pin the listings alone; only a new query is matched anew.
    await deps.onTopicChanged(slug.data, queryChanged ? body.data.query : null, created || queryChanged || before?.title !== body.data.title);
    res.status(created ? 201 : 200).json({ slug: slug.data, ...body.data, origin: 'api', feeds: topicLinks(deps.baseUrl, slug.data) });
  });

  router.delete('/api/topics/:slug', admin, async (req, res) => {
    await refuseConfigTopic(deps, req.params.slug as string, 'remove it there');
    if (!(await deps.store.deleteTopic(req.params.slug as string))) throw await noTopic(deps, req.params.slug as string);
    await deps.onTopicChanged(req.params.slug as string, null, true);
    res.status(204).end();
  });

  return router;
}
