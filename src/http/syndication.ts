import accepts from 'accepts';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from './deps.js';
import { badRequest, fromZod, notFound } from './errors.js';
import type { FeedRenderer } from './feed-render.js';
import { sendFeed, splitFile } from './feed-response.js';
import { DEFAULT_LIMIT, decodeCursor, MAX_LIMIT } from './items.js';
import { lowercaseTopicSlug, noTopic } from './no-topic.js';
import { wholeNumber } from './query-values.js';

const feedQuerySchema = z.strictObject({
  limit: wholeNumber(1, MAX_LIMIT).default(DEFAULT_LIMIT),
  before: z.string().min(1).max(200).optional(),
  token: z.string().optional(),
});

/** The media types of the three formats, in the order a reader that accepts any of them gets them. */
const FORMAT_BY_TYPE: readonly (readonly [string, 'rss' | 'atom' | 'json'])[] = [
  ['application/rss+xml', 'rss'],
  ['application/atom+xml', 'atom'],
  ['application/feed+json', 'json'],
  ['application/json', 'json'],
];

/** The format a request's Accept header prefers; RSS, which every reader reads, when it names none of them. */
function preferredFormat(req: Request): 'rss' | 'atom' | 'json' {
  const type = accepts(req).type(FORMAT_BY_TYPE.map(([mediaType]) => mediaType));
  return FORMAT_BY_TYPE.find(([mediaType]) => mediaType === type)?.[1] ?? 'rss';
}

/** The request's query string with its "?", or nothing. */
function searchOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at);
}

export function syndicationRouter(deps: AppDeps, renderer: FeedRenderer): Router {
  const router = Router();

  function parseFeedQuery(req: Request) {
    const query = feedQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod(query.error, 'query');
    const after = query.data.before !== undefined ? decodeCursor(query.data.before) : undefined;
    if (after === null) throw badRequest('"before" is not a cursor this server issued', [{ field: 'query.before', message: 'invalid cursor' }]);
    return { ...query.data, after };
  }

  /**
   * A feed's address without an extension (/topics/nato, /feeds/all), as a person shares it: sent
   * to the feed in the format the reader's Accept header asks for. Temporary, and varying with
   * Accept: another reader at the same address may read another format.
   */
  function sendToFormat(req: Request, res: Response, path: string): void {
    res.vary('Accept');
    res.redirect(302, `${req.baseUrl}${path}.${preferredFormat(req)}${searchOf(req)}`);
  }

  async function sendTopicToFormat(req: Request, res: Response, name: string): Promise<void> {
    if (name.includes('.')) throw notFound(`no feed at ${req.path}: use /topics/{slug}.rss, .atom or .json`);
    const slug = (await deps.store.getTopic(name)) ? name : await lowercaseTopicSlug(deps, name);
    if (slug === null) throw await noTopic(deps, name);
    sendToFormat(req, res, `/topics/${encodeURIComponent(slug)}`);
  }

  router.get('/topics/:file', async (req, res) => {
    const file = splitFile(req.params.file as string);
    if (!file) return sendTopicToFormat(req, res, req.params.file as string);
    const query = parseFeedQuery(req);
    const cached = renderer.cachedTopic(file.name, file.format, query);
    if (cached) return sendFeed(cached, req, res, deps.feedMaxAgeSeconds);
    const rendered = await renderer.topic(file.name, file.format, query);
    if (rendered) return sendFeed(rendered, req, res, deps.feedMaxAgeSeconds);
    // Slugs are lowercase. A URL typed as the topic is titled (/topics/NATO.rss) is sent to the
    // feed it names, permanently, so that a reader subscribed to it keeps the canonical URL.
    const slug = await lowercaseTopicSlug(deps, file.name);
    if (slug !== null) {
      const extension = (req.params.file as string).slice(file.name.length);
      return res.redirect(301, `${req.baseUrl}/topics/${encodeURIComponent(slug)}${extension}${searchOf(req)}`);
    }
    throw notFound(`no topic "${file.name}"`);
  });

  router.get('/feeds/:file', async (req, res) => {
    if (req.params.file === 'all') return sendToFormat(req, res, '/feeds/all');
    const file = splitFile(req.params.file as string);
    if (!file || file.name !== 'all') throw notFound(`no feed at ${req.path}: use /feeds/all.rss, .atom or .json`);
    const query = parseFeedQuery(req);
    sendFeed(renderer.cachedAll(file.format, query) ?? (await renderer.all(file.format, query)), req, res, deps.feedMaxAgeSeconds);
  });

  return router;
}
