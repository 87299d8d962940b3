// SQL over item_topics, an item's topic matches in one row (migrations/0011_item_topics.sql).

/** The condition that row `row` of item_topics holds the topic whose id `topicId` gives: the id between commas in topic_ids. */
export function matchesTopic(row: string, topicId: string): string {
  return `instr(${row}.topic_ids, ',' || ${topicId} || ',') > 0`;
}
