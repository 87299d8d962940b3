import { type Db, writeTransaction } from './db.js';

// The service's feeds the WebSub hub in server.websubHub has yet to be told of
// (migrations/0033_websub_unpinged.sql). When to ping is the publisher's policy (websub.ts); this
// module keeps what is left to tell, for whichever process pings next.

export function createUnpingedQueries(db: Db) {
  const listUnpinged = db.prepare(`SELECT url FROM websub_unpinged ORDER BY failed_at, url`).pluck();
  const keepOne = db.prepare(`INSERT INTO websub_unpinged (url, failed_at) VALUES (@url, @at)
    ON CONFLICT (url) DO UPDATE SET failed_at = max(failed_at, excluded.failed_at)`);
  const forgetOne = db.prepare(`DELETE FROM websub_unpinged WHERE url = @url AND failed_at < @pingedAt`);
  const keep = writeTransaction(db, (urls: readonly string[], at: string) => {
    for (const url of urls) keepOne.run({ url, at });
  });
  const forget = writeTransaction(db, (urls: readonly string[], pingedAt: string) => {
    for (const url of urls) forgetOne.run({ url, pingedAt });
  });

  return {
    /** The feeds the hub has yet to take a ping for, those whose ping failed longest ago first. */
    async unpingedFeeds(): Promise<string[]> {
      return listUnpinged.all() as string[];
    },
    /** Keeps feeds named by a ping begun at `pingedAt` that the hub did not take. */
    async keepUnpinged(urls: readonly string[], pingedAt: Date): Promise<void> {
      if (urls.length > 0) keep(urls, pingedAt.toISOString());
    },
    /**
     * Forgets feeds the hub took a ping for that began at `pingedAt`. A feed whose failed ping began
     * as late as this one or later (another process's) stays: this ping may have come before its change.
     */
    async forgetUnpinged(urls: readonly string[], pingedAt: Date): Promise<void> {
      if (urls.length > 0) forget(urls, pingedAt.toISOString());
    },
  };
}
