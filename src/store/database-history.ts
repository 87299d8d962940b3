import Database from 'better-sqlite3';
import { type Db, writeTransaction } from './db.js';
import { LARGEST_ITEM_ID_GIVEN, largestNumberGiven } from './item-ids.js';

// Each history of the database has an id (migrations/0024_database_history.sql): a restored backup
// starts one of its own, so that a follower's mark from before the restore is not taken for one of
// the ids given again.

/** Marks a copy `backupTo` wrote, before it takes the backup's name, as a backup. */
export function markAsBackup(path: string): void {
  const copy = new Database(path);
  try {
    copy.prepare('UPDATE database_history SET is_backup = 1').run();
  } finally {
    copy.close();
  }
}

/**
 * A backup opened as a database (restored, or opened where it lies) starts a history of its own,
 * which shares with the history it was copied from the items and edits up to the backup's newest.
 * With the histories that one descends from, it shares what that one did, and their rows come
 * with the copy as they are: the backup's newest is past what they shared. True when this open
 * started a history.
 */
export function startHistoryIfRestored(db: Db): boolean {
  return writeTransaction(db, (): boolean => {
    if (db.prepare('SELECT is_backup FROM database_history').pluck().get() !== 1) return false;
    db.exec(`INSERT INTO earlier_histories (id, items_through, edits_through, deletions_through)
        SELECT id, ${LARGEST_ITEM_ID_GIVEN}, ${largestNumberGiven('item_edits')}, ${largestNumberGiven('item_deletions')}
        FROM database_history;
      UPDATE database_history SET id = lower(hex(randomblob(16))), is_backup = 0;`);
    return true;
  })();
}

/** What a follower's mark counts: item ids (afterId), edit numbers (afterEdit) or deletion numbers (afterDeletion). */
export type MarkKind = 'item' | 'edit' | 'deletion';

const SHARED_THROUGH = { item: 'items_through', edit: 'edits_through', deletion: 'deletions_through' } as const;
type SharedThrough = Record<(typeof SHARED_THROUGH)[MarkKind], number>;

/** Queries of the history; made after startHistoryIfRestored, the only step that changes its id. */
export function createDatabaseHistoryQueries(db: Db) {
  // Read once: the id changes only when a backup is first opened, before this connection serves.
  const currentId = db.prepare('SELECT id FROM database_history').pluck().get() as string;
  const earlier = db.prepare('SELECT items_through, edits_through, deletions_through FROM earlier_histories WHERE id = ?');
  return {
    /** The id of this database's history: followers send it back with their marks. */
    async databaseId(): Promise<string> {
      return currentId;
    },
    /**
     * Where a follower that holds `mark` of the history `databaseId` goes on in this one: the mark
     * itself in this history; in one this history descends from, the mark or the last id (edit
     * number, deletion number) the two share, whichever comes first; null for a history this one does not descend from.
     */
    async markInThisHistory(databaseId: string, mark: number, kind: MarkKind): Promise<number | null> {
      if (databaseId === currentId) return mark;
      const row = earlier.get(databaseId) as SharedThrough | undefined;
      if (!row) return null;
      return Math.min(mark, row[SHARED_THROUGH[kind]]);
    },
  };
}
