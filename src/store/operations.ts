import { renameSync, rmSync } from 'node:fs';
import { markAsBackup } from './database-history.js';
import { type Db, writeTransaction } from './db.js';
import { matchesTopic } from './item-topics.js';

/** 'ingest': one ingest pass at a time; 'hub': one process sends the WebSub hub's deliveries. */
export type LeaseName = 'ingest' | 'hub';
const RETENTION_BATCH = 500;

export function createOperationQueries(db: Db) {
  const takeLease = db.prepare(`INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at <= @now OR leases.holder = @gone`);
  const dropLease = db.prepare(`DELETE FROM leases WHERE name = ? AND holder = ?`);
  const leaseHolder = db.prepare(`SELECT holder, expires_at FROM leases WHERE name = ?`);
  const expiringBatch = db.prepare(`SELECT i.id FROM items i
      WHERE i.first_seen_at < @cutoff
        AND NOT EXISTS (SELECT 1 FROM item_topics m JOIN topics t ON t.pinned = 1 AND ${matchesTopic('m', 't.id')}
                        WHERE m.item_id = i.id)
      LIMIT @batch`).pluck();
  // What the feed's last document still carries leaves its identity behind (migrations/0016).
  const leaveIdentities = db.prepare(`INSERT OR REPLACE INTO expired_entries (feed_id, identity, content_hash, markup_hash)
    SELECT i.feed_id, i.identity, i.content_hash, i.markup_hash FROM items i
    WHERE i.id IN (SELECT value FROM json_each(@ids))
      AND EXISTS (SELECT 1 FROM feed_entries d, json_each(d.identities) j WHERE d.feed_id = i.feed_id AND j.value = i.identity)`);
  const deleteItems = db.prepare(`DELETE FROM items WHERE id IN (SELECT value FROM json_each(@ids))`);
  const expireBatch = writeTransaction(db, (cutoff: string): number => {
    const ids = JSON.stringify(expiringBatch.all({ cutoff, batch: RETENTION_BATCH }));
    leaveIdentities.run({ ids });
    return deleteItems.run({ ids }).changes;
  });

  return {
    /**
     * Takes or renews a lease; false while another live holder has it. `goneHolder` names a holder
     * known to be gone, whose lease is taken before it expires, if it still holds it.
     */
    async acquireLease(lease: LeaseName, holder: string, ttlMs: number, now: Date, goneHolder: string | null = null): Promise<boolean> {
      const expires = new Date(now.getTime() + ttlMs).toISOString();
      return takeLease.run({ name: lease, holder, expires, now: now.toISOString(), gone: goneHolder }).changes > 0;
    },
    async releaseLease(lease: LeaseName, holder: string): Promise<void> {
      dropLease.run(lease, holder);
    },
    /** Who holds the lease now; null when nobody does, or the last holder's lease expired. */
    async leaseHolder(lease: LeaseName, now: Date): Promise<string | null> {
      const row = leaseHolder.get(lease) as { holder: string; expires_at: string } | undefined;
      return row && row.expires_at > now.toISOString() ? row.holder : null;
    },
    /**
     * Deletes items first stored before the cutoff that no pinned topic holds, a small batch per transaction
     * so ingest and readers are never blocked for long; then lets SQLite refresh its statistics. An
     * item its feed still carries leaves its identity, so that the feed's next fetches do not store it again.
     */
    async expireItems(cutoff: Date): Promise<number> {
      let deleted = 0;
      for (;;) {
        const changes = expireBatch(cutoff.toISOString());
        deleted += changes;
        if (changes < RETENTION_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (deleted > 0) db.pragma('optimize');
      return deleted;
    },
    /**
     * An online, consistent copy of the database (SQLite's backup API), written beside `path` and
     * renamed onto it once whole: a copy cut short (the process killed, the disk full) leaves the
     * backup that was there, not a part of one under its name. The copy is marked as a backup, so
     * that once restored it starts a history of its own (database-history.ts).
     */
    async backupTo(path: string): Promise<void> {
      const partial = `${path}.partial`;
      rmSync(partial, { force: true });
      await db.backup(partial);
      markAsBackup(partial);
      renameSync(partial, path);
    },
  };
}
