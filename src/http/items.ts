import { type Request, Router } from 'express';
import { z } from 'zod';
import type { ListedItem, StoredItem, TopicMatch } from '../model.js';
import type { ItemCursor, ItemFilter, StorySource, TopicMatching } from '../store/index.js';
import { republishableHtml } from '../html/sanitize.js';
import { searchItems } from '../search.js';
import type { AppDeps } from './deps.js';
import { badRequest, fromZod, HttpProblem, notFound } from './errors.js';
import { noTopic } from './no-topic.js';
import { instant, pathId, wholeNumber } from './query-values.js';
import { searchingClient, withinSearchBudget } from './search-budget.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const itemsQuerySchema = z.strictObject({
  topic: z.string().min(1).max(64).optional(),
  feed: wholeNumber(1).optional(),
  q: z.string().min(1).max(2000).optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: wholeNumber(1, MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z.string().min(1).max(200).optional(),
  afterId: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  afterEdit: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  afterDeletion: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  databaseId: z.string().regex(/^[0-9a-f]{32}$/, 'a databaseId as a response gives it: 32 hex digits').optional(),
});

export const storiesQuerySchema = itemsQuerySchema.pick({ topic: true, feed: true, since: true, until: true, limit: true, cursor: true });

export function encodeCursor(item: { sortAt: string; id: number }): string {
  return Buffer.from(JSON.stringify([item.sortAt, item.id])).toString('base64url');
}

export function decodeCursor(text: string): ItemCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [sortAt, id] = value as [unknown, unknown];
    if (typeof sortAt !== 'string' || Number.isNaN(Date.parse(sortAt)) || !Number.isSafeInteger(id) || (id as number) < 0) return null;
    return { sortAt, id: id as number };
  } catch {
    return null;
  }
}

export function itemJson(item: ListedItem, topics: TopicMatch[], sources: StorySource[] = []) {
  return {
    id: item.id,
    title: item.title,
    url: item.url,
    summary: item.summary,
    publishedAt: item.publishedAt,
    updatedAt: item.updatedAt,
    sortAt: item.sortAt,
    firstSeenAt: item.firstSeenAt,
    feed: { id: item.feedId, title: item.feedTitle },
    authors: item.authors,
    categories: item.categories,
    language: item.language,
    topics,
    storyId: item.storyId,
    alsoReportedBy: sources
      .filter((s) => s.itemId !== item.id)
      .map((s) => ({ itemId: s.itemId, feed: { id: s.feedId, title: s.feedTitle }, url: s.url })),
  };
}

/** One item as /api/items/:id shows it: with its content. */
function fullItemJson(item: StoredItem, topics: TopicMatch[], sources: StorySource[]) {
  return { ...itemJson(item, topics, sources), contentHtml: republishableHtml(item), guid: item.guid, enclosures: item.enclosures };
}

/** Items one search request examines at most; past it, the page ends early with a cursor to go on. */
export const SEARCH_SCAN_BUDGET = 20_000;

async function search(deps: AppDeps, client: string, q: string, filter: Omit<ItemFilter, 'limit'>, limit: number) {
  const result = await withinSearchBudget(deps.searchBudget, client, () => searchItems(deps.store, q, filter, limit, SEARCH_SCAN_BUDGET));
  if (!result.ok) throw badRequest(`invalid query: ${result.error.message}`, [{ field: 'query.q', message: result.error.message }]);
  return { items: result.hits.map((hit) => hit.item), resumeAt: result.stoppedAt };
}

/** Ids past afterId one request looks at, at most; past them, the page ends early with `more`. */
export const STORED_AFTER_SCAN_BUDGET = 20_000;

/** What afterId, afterEdit and afterDeletion, which follow items in the order they were stored, edited or deleted, cannot be read with. */
const BY_TIME_ONLY = ['q', 'since', 'until', 'cursor'] as const;

/**
 * The marks a follower holds, each a number this database gives in order: what each follows, what
 * it counts and how they are given, and the listing's field a follower starts from.
 */
const FOLLOWING = {
  afterId: { order: 'stored', kind: 'item', given: 'stored', start: 'newestId' },
  afterEdit: { order: 'edited', kind: 'edit', given: 'numbered', start: 'newestEdit' },
  afterDeletion: { order: 'deleted', kind: 'deletion', given: 'numbered', start: 'newestDeletion' },
} as const;
type FollowField = keyof typeof FOLLOWING;

function parseItemsQuery(req: Request) {
  const parsed = itemsQuerySchema.safeParse(req.query);
  if (!parsed.success) throw fromZod(parsed.error, 'query');
  const [following, second] = (Object.keys(FOLLOWING) as FollowField[]).filter((field) => parsed.data[field] !== undefined);
  if (following !== undefined && second !== undefined) {
    const message = 'afterId follows the items stored, afterEdit the items edited and afterDeletion the items deleted: '
      + 'ask for each in a request of its own';
    throw badRequest(message, [{ field: `query.${second}`, message: `not with ${following}` }]);
  }
  if (following === undefined && parsed.data.databaseId !== undefined) {
    const message = 'databaseId tells which database an afterId, afterEdit or afterDeletion comes from, and goes with one of them only';
    throw badRequest(message, [{ field: 'query.databaseId', message: 'only with afterId, afterEdit or afterDeletion' }]);
  }
  const clash = following !== undefined ? BY_TIME_ONLY.find((name) => parsed.data[name] !== undefined) : undefined;
  if (following !== undefined && clash !== undefined) {
    const message = `${following} lists items in the order they were ${FOLLOWING[following].order}, and goes with topic, feed and limit only, not ${clash}`
      + (clash === 'q' ? ' (a topic with that query follows it)' : '');
    throw badRequest(message, [{ field: `query.${clash}`, message: `not with ${following}` }]);
  }
  const after = parsed.data.cursor !== undefined ? decodeCursor(parsed.data.cursor) : undefined;
  if (after === null) throw badRequest('cursor is not one this server issued', [{ field: 'query.cursor', message: 'invalid cursor' }]);
  return { ...parsed.data, after };
}

/**
 * A follower's mark past every one this database has given: from another database, or from before
 * this one was restored from a backup, and following on from it would skip what is given next.
 */
async function markFromElsewhere(deps: AppDeps, field: FollowField, mark: number): Promise<HttpProblem> {
  const { kind, given, start } = FOLLOWING[field];
  return new HttpProblem(409, 'Conflict', `${field} ${mark} is past every ${kind} this database has ${given}: it comes from another `
    + `database, or from before this one was restored from a backup; start again from ${start} (${await newestOf(deps, field)})`,
  [{ field: `query.${field}`, message: `past every ${kind} ${given}` }]);
}

/**
 * A follower of deletions whose mark is older than the log keeps (retention.maxAgeDays): it has
 * missed the deletions between, and must list the items it mirrors again.
 */
function deletionsForgotten(mark: number, prunedThrough: number, newest: number): HttpProblem {
  return new HttpProblem(410, 'Gone', `the deletions after ${mark} up to ${prunedThrough} are no longer kept (deletions are kept as long `
    + `as items are, retention.maxAgeDays): list the items again, and follow deletions from newestDeletion (${newest})`,
  [{ field: 'query.afterDeletion', message: 'older than the deletions kept' }]);
}

/** The newest number a follower of `field` can be given: where one whose mark cannot be followed starts again. */
async function newestOf(deps: AppDeps, field: FollowField): Promise<number> {
  switch (field) {
    case 'afterId': return deps.store.newestItemId();
    case 'afterEdit': return deps.store.newestEditId();
    case 'afterDeletion': return deps.store.newestDeletionId();
  }
}

/**
 * Where a follower's mark goes on in this database: the mark itself when no databaseId came with it
 * or it names this history; for a history this one was restored from, the last id, edit or deletion
 * number the two share, if the mark is past it (database-history.ts).
 */
async function markHere(deps: AppDeps, field: FollowField, mark: number, databaseId: string | undefined): Promise<number> {
  if (databaseId === undefined) return mark;
  const { kind, start } = FOLLOWING[field];
  const here = await deps.store.markInThisHistory(databaseId, mark, kind);
  if (here !== null) return here;
  throw new HttpProblem(409, 'Conflict', `databaseId ${databaseId} is neither this database's (${await deps.store.databaseId()}) nor one `
    + `it was restored from: ${field} ${mark} comes from another database; start again from ${start} (${await newestOf(deps, field)})`,
  [{ field: 'query.databaseId', message: 'not this database\'s' }]);
}

/** The topic of that slug, by what its matches are made under (store/topics.ts), or a 404 naming the topics there are. */
async function requireTopic(deps: AppDeps, slug: string): Promise<TopicMatching> {
  const matching = await deps.store.topicMatching(slug);
  if (!matching) throw await noTopic(deps, slug);
  return matching;
}

/**
 * What a topic's follower keeps beside its mark: the topic's matches change other than item by
 * item when every item is matched again, and the follower then lists the topic anew once that is
 * done (README, "Following what is stored"). Read before the page, so a change is at worst seen
 * late by one page, whose items the new listing holds.
 */
function topicMatchingFields(matching: TopicMatching | null) {
  return matching ? { topicMatchedAs: matching.matchedAs, topicRematching: matching.rematching } : {};
}

export function itemsRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/api/items', async (req, res) => {
    const { topic, feed, q, since, until, limit, after, afterId, afterEdit, afterDeletion, databaseId: from } = parseItemsQuery(req);
    const matching = topic !== undefined ? await requireTopic(deps, topic) : null;
    const databaseId = await deps.store.databaseId();
    const ofTopic = topicMatchingFields(matching);
    if (afterDeletion !== undefined) {
      const mark = await markHere(deps, 'afterDeletion', afterDeletion, from);
      const page = await deps.store.listItemsDeletedAfter({ afterDeletion: mark, topicSlug: topic, feedId: feed, limit, examineAtMost: STORED_AFTER_SCAN_BUDGET });
      if (!page.known) throw await markFromElsewhere(deps, 'afterDeletion', afterDeletion);
      if (mark < page.prunedThrough) throw deletionsForgotten(mark, page.prunedThrough, await deps.store.newestDeletionId());
      res.json({
        items: page.deletions.map(({ deletionId, itemId, feedId, deletedAt }) => ({ id: itemId, feed: { id: feedId }, deletionId, deletedAt })),
        nextAfterDeletion: page.nextAfterDeletion,
        more: page.more,
        databaseId,
        ...ofTopic,
      });
      return;
    }
    if (afterEdit !== undefined) {
      const mark = await markHere(deps, 'afterEdit', afterEdit, from);
      const page = await deps.store.listItemsEditedAfter({ afterEdit: mark, topicSlug: topic, feedId: feed, limit, examineAtMost: STORED_AFTER_SCAN_BUDGET });
      if (!page.known) throw await markFromElsewhere(deps, 'afterEdit', afterEdit);
      const matches = await deps.store.matchesForItems(page.edits.map(({ item }) => item.id));
      res.json({
        items: page.edits.map(({ editId, editedAt, item }) => ({ ...itemJson(item, matches.get(item.id) ?? []), editId, editedAt })),
        nextAfterEdit: page.nextAfterEdit,
        more: page.more,
        databaseId,
        ...ofTopic,
      });
      return;
    }
    if (afterId !== undefined) {
      const mark = await markHere(deps, 'afterId', afterId, from);
      const page = await deps.store.listItemsStoredAfter({ afterId: mark, topicSlug: topic, feedId: feed, limit, examineAtMost: STORED_AFTER_SCAN_BUDGET });
      if (!page.known) throw await markFromElsewhere(deps, 'afterId', afterId);
      const matches = await deps.store.matchesForItems(page.items.map((i) => i.id));
      res.json({ items: page.items.map((item) => itemJson(item, matches.get(item.id) ?? [])), nextAfterId: page.nextAfterId, more: page.more, databaseId, ...ofTopic });
      return;
    }
    // Read before the page, so that an item stored meanwhile is at worst shown twice to a client
    // that goes on with afterId, never missed.
    const newestId = await deps.store.newestItemId();
    const newestEdit = await deps.store.newestEditId();
    const newestDeletion = await deps.store.newestDeletionId();
    const filter = { topicSlug: topic, feedId: feed, since, until, after };
    const { items, resumeAt } = q !== undefined
      ? await search(deps, searchingClient(req), q, filter, limit)
      : { items: await deps.store.listItemsWithoutContent({ ...filter, limit }), resumeAt: null };
    const matches = await deps.store.matchesForItems(items.map((i) => i.id));
    const last = items[items.length - 1];
    res.json({
      items: items.map((item) => itemJson(item, matches.get(item.id) ?? [])),
      nextCursor: items.length === limit && last ? encodeCursor(last) : resumeAt ? encodeCursor(resumeAt) : null,
      newestId,
      newestEdit,
      newestDeletion,
      databaseId,
    });
  });

  // Each story once (by the first of its items stored), with every source that carried it.
  router.get('/api/stories', async (req, res) => {
    const parsed = storiesQuerySchema.safeParse(req.query);
    if (!parsed.success) throw fromZod(parsed.error, 'query');
    const { topic, feed, since, until, limit, cursor } = parsed.data;
    const after = cursor !== undefined ? decodeCursor(cursor) : undefined;
    if (after === null) throw badRequest('cursor is not one this server issued', [{ field: 'query.cursor', message: 'invalid cursor' }]);
    if (topic !== undefined) await requireTopic(deps, topic);
    const items = await deps.store.listItemsWithoutContent({ topicSlug: topic, feedId: feed, since, until, after, limit, collapseStories: true });
    const sources = await deps.store.storySources(items.map((i) => i.storyId).filter((id): id is number => id !== null));
    const last = items[items.length - 1];
    res.json({
      stories: items.map((item) => ({
        id: item.storyId ?? item.id,
        title: item.title,
        url: item.url,
        summary: item.summary,
        sortAt: item.sortAt,
        items: (item.storyId !== null ? sources.get(item.storyId) ?? [] : [{ itemId: item.id, feedId: item.feedId, feedTitle: item.feedTitle, url: item.url }])
          .map((s) => ({ itemId: s.itemId, feed: { id: s.feedId, title: s.feedTitle }, url: s.url })),
      })),
      nextCursor: items.length === limit && last ? encodeCursor(last) : null,
    });
  });

  router.get('/api/items/:id', async (req, res) => {
    const id = pathId(req.params.id, 'item');
    const item = await deps.store.getItem(id);
    if (!item) throw notFound(`no item ${id}`);
    const matches = await deps.store.matchesForItems([item.id]);
    const sources = item.storyId !== null ? (await deps.store.storySources([item.storyId])).get(item.storyId) ?? [] : [];
    res.json(fullItemJson(item, matches.get(item.id) ?? [], sources));
  });

  return router;
}
