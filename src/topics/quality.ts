import { z } from 'zod';
import { analyzeDoc } from './text.js';
import { buildTopicIndex, matchTopics, type RejectedTopic } from './topic-index.js';

// Precision and recall of topic matching against a labelled set: one implementation for the
// test that guards the figures and for `npm run quality`, which prints them.

export const labelledSetSchema = z.object({
  topics: z.array(z.object({ slug: z.string().min(1), query: z.string() })).min(1),
  items: z.array(
    z.object({
      id: z.string().min(1),
      title: z.string(),
      summary: z.string(),
      contentHtml: z.string(),
      categories: z.array(z.string()),
      language: z.string().nullable(),
      expected: z.array(z.string()),
    }),
  ),
});
export type LabelledSet = z.infer<typeof labelledSetSchema>;

export interface TopicQuality {
  slug: string;
  query: string;
  expected: number;
  truePositives: number;
  /** Ids of items matched but not labelled with the topic. */
  falsePositives: string[];
  /** Ids of items labelled with the topic but not matched. */
  falseNegatives: string[];
  /** 1 when nothing was matched (nothing was wrongly matched). */
  precision: number;
  /** 1 when nothing was labelled. */
  recall: number;
}

export interface QualityReport {
  items: number;
  topics: TopicQuality[];
  rejected: RejectedTopic[];
}

export function measureQuality(set: LabelledSet): QualityReport {
  const index = buildTopicIndex(set.topics);
  const rows = new Map<string, TopicQuality>(
    set.topics.map((t) => [
      t.slug,
      { slug: t.slug, query: t.query, expected: 0, truePositives: 0, falsePositives: [], falseNegatives: [], precision: 1, recall: 1 },
    ]),
  );
  for (const item of set.items) {
    const doc = analyzeDoc({ ...item, authors: [], feedTitle: null, feedId: null });
    const matched = new Set(matchTopics(index, doc).map((m) => m.slug));
    for (const row of rows.values()) {
      const expected = item.expected.includes(row.slug);
      if (expected) row.expected++;
      if (expected && matched.has(row.slug)) row.truePositives++;
      else if (expected) row.falseNegatives.push(item.id);
      else if (matched.has(row.slug)) row.falsePositives.push(item.id);
    }
  }
  for (const row of rows.values()) {
    const predicted = row.truePositives + row.falsePositives.length;
    row.precision = predicted === 0 ? 1 : row.truePositives / predicted;
    row.recall = row.expected === 0 ? 1 : row.truePositives / row.expected;
  }
  return { items: set.items.length, topics: [...rows.values()], rejected: index.rejected };
}

/** A plain-text table: one row per topic, then the ids of any misses. */
export function formatQualityReport(report: QualityReport): string {
  const header = ['topic', 'query', 'labelled', 'tp', 'fp', 'fn', 'precision', 'recall'];
  const body = report.topics.map((t) => [
    t.slug, t.query, String(t.expected), String(t.truePositives), String(t.falsePositives.length),
    String(t.falseNegatives.length), t.precision.toFixed(3), t.recall.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const lines = [`${report.items} labelled items`, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  for (const t of report.topics) {
    if (t.falsePositives.length) lines.push(`${t.slug}: matched but not labelled: ${t.falsePositives.join(', ')}`);
    if (t.falseNegatives.length) lines.push(`${t.slug}: labelled but not matched: ${t.falseNegatives.join(', ')}`);
  }
  for (const r of report.rejected) lines.push(`${r.slug}: query rejected: ${r.error.message}`);
  return lines.join('\n');
}
