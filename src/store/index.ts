import { createChangeQueries } from './changes.js';
import { type Checkpointer, startCheckpointer } from './checkpointer.js';
import { createDatabaseHistoryQueries, startHistoryIfRestored } from './database-history.js';
import { type Db, migrate, openDatabase } from './db.js';
import { createDeletionQueries } from './deletions.js';
import { createFeedQueries } from './feeds.js';
import { createFeedTitleQueries } from './feed-titles.js';
import { createHubSubscriptionQueries } from './hub-subscriptions.js';
import { createFetchResultQueries, type FilingPolicy, type StoryPolicy, TOPIC_FILING } from './fetch-results.js';
import { createItemQueries } from './items.js';
import { createOperationQueries } from './operations.js';
import { createTopicQueries } from './topics.js';
import { createUnpingedQueries } from './unpinged.js';
import { createWebSubQueries } from './websub.js';

export type { FetchResultToSave, FilingPolicy, ItemToSave, SaveSummary, StoryKey, StoryPolicy, TopicsMatched } from './fetch-results.js';
export { sameTopicDefinitions } from './fetch-results.js';
export type { EditedAfterFilter, EditedAfterPage, EditedItem, ItemCursor, ItemFilter, StoredAfterFilter, StoredAfterPage, StorySource } from './items.js';
export type { MarkKind } from './database-history.js';
export type { DeletedAfterFilter, DeletedAfterPage, ItemDeletion } from './deletions.js';
export type { BackfillReach, TopicMatching, TopicMatchRow, TopicSummary } from './topics.js';
export type { FeedRename, RenameConcerns } from './feed-titles.js';
export type { HubSubscriber, HubSubscriptionRecord } from './hub-subscriptions.js';
export { DuplicateFeedError, type FeedMove } from './feeds.js';
export type { ChangeMarks, ItemChanges, ItemMarks } from './changes.js';
export type { LeaseName } from './operations.js';
export type { HubChange, HubWatch, WebSubCallback, WebSubKeys, WebSubMode, WebSubRequest } from './websub.js';

/**
 * The storage engine behind every other module: coarse operations, each its own transaction,
 * async so that a networked engine can implement the same shape.
 */
export type Store = ReturnType<typeof createFeedQueries> &
  ReturnType<typeof createFeedTitleQueries> &
  ReturnType<typeof createFetchResultQueries> &
  ReturnType<typeof createItemQueries> &
  ReturnType<typeof createDeletionQueries> &
  ReturnType<typeof createTopicQueries> &
  ReturnType<typeof createOperationQueries> &
  ReturnType<typeof createDatabaseHistoryQueries> &
  ReturnType<typeof createWebSubQueries> &
  ReturnType<typeof createUnpingedQueries> &
  ReturnType<typeof createHubSubscriptionQueries> &
  ReturnType<typeof createChangeQueries> & {
    /** Whether this open found a backup in the database's place, and started a history of its own. */
    readonly restoredFromBackup: boolean;
    /** SQLite file size in bytes (for metrics). */
    sizeBytes(): Promise<number>;
    /**
     * A number that changes whenever another connection, in this process or another, commits to the
     * database: what this process keeps from it (rendered feeds) may then be stale.
     * Synchronous because cached answers read it; an engine over the network would keep it from its
     * change notifications.
     */
    changesElsewhere(): number;
    ping(): Promise<void>;
    close(): Promise<void>;
    readonly db: Db;
  };

export interface OpenStoreOptions {
  stories?: StoryPolicy | null;
  /** When new items are filed into topic feeds and the timeline (default TOPIC_FILING); maxBatch is at least batch. */
  topicFiling?: Partial<FilingPolicy>;
  /** Checkpoint the log on a thread of its own once the first fetch result is saved (checkpointer.ts). */
  backgroundCheckpoints?: boolean;
}

/** Opens (creating if needed) and migrates the database at `path`. */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const db = openDatabase(path);
  migrate(db);
  const restoredFromBackup = startHistoryIfRestored(db);
  const pageCount = db.prepare('PRAGMA page_count');
  const pageSize = db.prepare('PRAGMA page_size');
  // Unchanged by this connection's own commits and by checkpoints that keep the log (the
  // checkpointer's are PASSIVE): only other writers move it.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const filing = { ...TOPIC_FILING, ...options.topicFiling };
  const fetchResults = createFetchResultQueries(db, options.stories ?? null, { ...filing, maxBatch: Math.max(filing.batch, filing.maxBatch) });
  // Started by the first save, so a process that only serves or runs one command has no thread.
  let checkpointer: Checkpointer | null | undefined = options.backgroundCheckpoints ? undefined : null;
  return {
    db,
    ...createFeedQueries(db),
    ...createFeedTitleQueries(db),
    ...fetchResults,
    async saveFetchResult(feedId, result) {
      if (checkpointer === undefined) checkpointer = startCheckpointer(path);
      return fetchResults.saveFetchResult(feedId, result);
    },
    ...createItemQueries(db),
    ...createDeletionQueries(db),
    ...createTopicQueries(db),
    ...createOperationQueries(db),
    ...createDatabaseHistoryQueries(db),
    ...createWebSubQueries(db),
    ...createUnpingedQueries(db),
    ...createHubSubscriptionQueries(db),
    ...createChangeQueries(db),
    restoredFromBackup,
    async sizeBytes() {
      return (pageCount.pluck().get() as number) * (pageSize.pluck().get() as number);
    },
    changesElsewhere() {
      return dataVersion.get() as number;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      await checkpointer?.close();
      checkpointer = null;
      if (db.open) {
        db.pragma('optimize');
        db.close();
      }
    },
  };
}
