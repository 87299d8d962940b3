import type { FeedRecord, FeedState } from '../model.js';
import { type Db, writeTransaction } from './db.js';
import { type FeedRow, toFeedRecord } from './rows.js';

// item_count is kept with the feed (migrations/0017_feed_item_count.sql); its WebSub subscription,
// when it has one, is the row that names it (migrations/0027_websub_subscriptions.sql).
const FEED_SELECT = `SELECT f.*, s.state AS websub_state, s.lease_expires_at AS websub_lease_expires_at,
    s.error AS websub_error, s.notified_at AS websub_notified_at, s.notifications AS websub_notifications,
    s.changes_announced AS websub_changes_announced, s.unannounced_change_at AS websub_unannounced_change_at
  FROM feeds f LEFT JOIN websub_subscriptions s ON s.feed_id = f.id`;

/**
 * A feed's address without what a site changes when it keeps its feed where it was: http or https,
 * and a "www." before the host. Null for what is not an http(s) URL.
 */
function siteAddress(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return `${parsed.hostname.replace(/^www\./, '')}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}${parsed.search}`;
  } catch {
    return null;
  }
}

/** A config file's feed given another URL, kept with its items (syncConfigFeeds). */
export interface FeedMove {
  from: string;
  to: string;
}

export class DuplicateFeedError extends Error {
  override name = 'DuplicateFeedError';
}

/** Runs a write that gives a feed `url`, turning the clash with another feed's into a DuplicateFeedError. */
function withUniqueUrl<T>(url: string | undefined, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new DuplicateFeedError(`a feed with the URL ${url} already exists`);
    }
    throw error;
  }
}

export function createFeedQueries(db: Db) {
  const all = db.prepare(`${FEED_SELECT} ORDER BY f.id`);
  const byId = db.prepare(`${FEED_SELECT} WHERE f.id = ?`);
  const byUrl = db.prepare(`${FEED_SELECT} WHERE f.url = ?`);
  const due = db.prepare(
    `${FEED_SELECT} WHERE f.disabled = 0 AND (f.next_fetch_at IS NULL OR f.next_fetch_at <= ?) ORDER BY f.next_fetch_at, f.id`,
  );
  const insert = db.prepare(
    // Past every id ever given (migrations/0020_feed_ids_not_reused.sql).
    `INSERT INTO feeds (id, url, title, matched_title, interval_minutes, origin, created_at)
      VALUES (max(coalesce((SELECT max(id) FROM feeds), 0), (SELECT last_deleted FROM feed_ids)) + 1, @url, @title, @title, @intervalMinutes, @origin, @now)`,
  );
  const retitle = db.prepare(`UPDATE feeds SET title = @title WHERE id = @id`);
  // A feed asked for every 5 minutes is not left waiting for a fetch its old interval put hours away.
  const reinterval = db.prepare(`UPDATE feeds SET interval_minutes = @intervalMinutes,
      next_fetch_at = CASE WHEN @soonest IS NOT NULL AND next_fetch_at > @soonest THEN @soonest ELSE next_fetch_at END
    WHERE id = @id AND interval_minutes IS NOT @intervalMinutes`);
  const applyInterval = (id: number, intervalMinutes: number | null, now: Date) => reinterval.run({
    id, intervalMinutes, soonest: intervalMinutes === null ? null : new Date(now.getTime() + intervalMinutes * 60_000).toISOString(),
  });
  const remove = db.prepare(`DELETE FROM feeds WHERE id = ?`);
  // A new address is a new server: what the old one said of its body would make the new one's
  // first answer a 304 or an unchanged body.
  const readdress = db.prepare(
    `UPDATE feeds SET url = @url, etag = NULL, last_modified = NULL, content_hash = NULL, moved_to = NULL, next_fetch_at = @now WHERE id = @id`,
  );
  const disable = db.prepare(`UPDATE feeds SET disabled = 1 WHERE id = ?`);
  // Failures before are forgotten, so the first fetch is not put off by their back-off.
  const enable = db.prepare(
    `UPDATE feeds SET disabled = 0, consecutive_failures = 0, next_fetch_at = @now WHERE id = @id AND disabled = 1`,
  );
  const makeDue = db.prepare(`UPDATE feeds SET next_fetch_at = @now WHERE id = @id`);
  const configFeeds = db.prepare(`SELECT id, url, moved_to FROM feeds WHERE origin = 'config'`);
  // The file now names where a feed's redirects led: the same server, so what it said still holds.
  const followMove = db.prepare(`UPDATE feeds SET url = @url, moved_to = NULL WHERE id = @id`);
  const addresses = db.prepare(`SELECT url, title, site_url AS siteUrl FROM feeds ORDER BY id`);
  // feed-status.ts's rule, in SQL: a scrape counts the feeds without reading their items.
  const stateCounts = db.prepare(`SELECT CASE WHEN disabled = 1 THEN 'disabled' WHEN last_fetched_at IS NULL THEN 'waiting'
      WHEN last_error_kind IS NULL THEN 'ok' ELSE 'failing' END AS state, count(*) AS n
    FROM feeds GROUP BY state`);
  const itemsLastWeek = db.prepare(
    `SELECT count(*) AS n FROM items WHERE feed_id = ? AND sort_at >= ?`,
  );

  const get = (id: number): FeedRecord | null => {
    const row = byId.get(id) as FeedRow | undefined;
    return row ? toFeedRecord(row) : null;
  };

  return {
    async listFeeds(): Promise<FeedRecord[]> {
      return (all.all() as FeedRow[]).map(toFeedRecord);
    },
    /** Every feed's address and names, for OPML. */
    async feedAddresses(): Promise<{ url: string; title: string | null; siteUrl: string | null }[]> {
      return addresses.all() as { url: string; title: string | null; siteUrl: string | null }[];
    },
    async getFeed(id: number): Promise<FeedRecord | null> {
      return get(id);
    },
    async getFeedByUrl(url: string): Promise<FeedRecord | null> {
      const row = byUrl.get(url) as FeedRow | undefined;
      return row ? toFeedRecord(row) : null;
    },
    async dueFeeds(now: Date): Promise<FeedRecord[]> {
      return (due.all(now.toISOString()) as FeedRow[]).map(toFeedRecord);
    },
    async addFeed(
      feed: { url: string; title: string | null; origin: 'config' | 'api'; intervalMinutes?: number | null | undefined },
      now: Date,
    ): Promise<FeedRecord> {
      return withUniqueUrl(feed.url, () => {
        const { lastInsertRowid } = insert.run({ ...feed, intervalMinutes: feed.intervalMinutes ?? null, now: now.toISOString() });
        return get(Number(lastInsertRowid))!;
      });
    },
    async deleteFeed(id: number): Promise<boolean> {
      return remove.run(id).changes > 0;
    },
    /**
     * An operator's changes to a feed, in one transaction; null when there is no such feed. A new URL
     * or enabling makes it due at `now`, a new interval due within it; its items stay either way.
     */
    async editFeed(
      id: number,
      changes: {
        url?: string | undefined;
        title?: string | null | undefined;
        intervalMinutes?: number | null | undefined;
        disabled?: boolean | undefined;
      },
      now: Date,
    ): Promise<FeedRecord | null> {
      const at = now.toISOString();
      return withUniqueUrl(changes.url, writeTransaction(db, () => {
        if (!byId.get(id)) return null;
        if (changes.url !== undefined) readdress.run({ id, url: changes.url, now: at });
        if (changes.title !== undefined) retitle.run({ id, title: changes.title });
        if (changes.intervalMinutes !== undefined) applyInterval(id, changes.intervalMinutes, now);
        if (changes.disabled === true) disable.run(id);
        if (changes.disabled === false) enable.run({ id, now: at });
        return get(id);
      }));
    },
    /** Makes a feed due at `now`, whatever its schedule or back-off said; false when there is no such feed. */
    async markFeedDue(id: number, now: Date): Promise<boolean> {
      return makeDue.run({ id, now: now.toISOString() }).changes > 0;
    },
    /**
     * Config feeds mirror the config file: new ones are added, removed ones deleted, titles and
     * intervals follow. A feed whose URL the file changes keeps its items when the new URL is where
     * its permanent redirects led, is the same but for http or https and a "www.", or names the
     * old one among its `formerUrls`: it is fetched at once from there, as a new server. Returns
     * the feeds that so moved, by their old and new URLs.
     */
    async syncConfigFeeds(
      feeds: { url: string; title?: string | undefined; intervalMinutes?: number | undefined; formerUrls?: string[] | undefined }[],
      now: Date,
    ): Promise<FeedMove[]> {
      return writeTransaction(db, () => {
        const moves: FeedMove[] = [];
        const wanted = new Map(feeds.map((feed) => [feed.url, { title: feed.title ?? null, intervalMinutes: feed.intervalMinutes ?? null }]));
        // The URLs no feed has yet, by an old URL listed as theirs and by their site address.
        const byFormerUrl = new Map<string, string>();
        const bySiteAddress = new Map<string, string>();
        for (const feed of feeds) {
          if (byUrl.get(feed.url)) continue;
          const address = siteAddress(feed.url);
          if (address !== null) bySiteAddress.set(address, feed.url);
          for (const former of feed.formerUrls ?? []) byFormerUrl.set(former, feed.url);
        }
        for (const row of configFeeds.all() as { id: number; url: string; moved_to: string | null }[]) {
          if (wanted.has(row.url)) continue;
          if (row.moved_to !== null && wanted.has(row.moved_to) && !byUrl.get(row.moved_to)) {
            followMove.run({ id: row.id, url: row.moved_to });
            moves.push({ from: row.url, to: row.moved_to });
            continue;
          }
          const address = siteAddress(row.url);
          const to = byFormerUrl.get(row.url) ?? (address === null ? undefined : bySiteAddress.get(address));
          if (to !== undefined && !byUrl.get(to)) {
            readdress.run({ id: row.id, url: to, now: now.toISOString() });
            moves.push({ from: row.url, to });
          } else {
            remove.run(row.id);
          }
        }
        for (const [url, { title, intervalMinutes }] of wanted) {
          const existing = byUrl.get(url) as FeedRow | undefined;
          if (!existing) {
            insert.run({ url, title, intervalMinutes, origin: 'config', now: now.toISOString() });
          } else {
            retitle.run({ id: existing.id, title });
            applyInterval(existing.id, intervalMinutes, now);
          }
        }
        return moves;
      })();
    },
    /** How many feeds are in each state. */
    async feedStateCounts(): Promise<Record<FeedState, number>> {
      const counts: Record<FeedState, number> = { waiting: 0, ok: 0, failing: 0, disabled: 0 };
      for (const { state, n } of stateCounts.all() as { state: FeedState; n: number }[]) counts[state] = n;
      return counts;
    },
    async itemsPublishedSince(feedId: number, since: Date): Promise<number> {
      return (itemsLastWeek.get(feedId, since.toISOString()) as { n: number }).n;
    },
  };
}
