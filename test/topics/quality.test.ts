import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatQualityReport, labelledSetSchema, measureQuality, type LabelledSet } from '../../src/topics/quality.js';

const set = labelledSetSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/topics-labelled.json', import.meta.url), 'utf8')),
);
const report = measureQuality(set);

describe('labelled set', () => {
  it('has at least 150 items over six topics, every label a known topic', () => {
    expect(set.items.length).toBeGreaterThanOrEqual(150);
    expect(set.topics).toHaveLength(6);
    const slugs = new Set(set.topics.map((t) => t.slug));
    for (const item of set.items) for (const slug of item.expected) expect(slugs).toContain(slug);
    expect(new Set(set.items.map((i) => i.id)).size).toBe(set.items.length);
  });

  it('every topic query parses', () => {
    expect(report.rejected).toEqual([]);
  });

  it.each(set.topics.map((t) => t.slug))('%s: precision and recall are at least 0.98', (slug) => {
    const row = report.topics.find((t) => t.slug === slug);
    expect(row?.expected, 'labelled positives').toBeGreaterThanOrEqual(10);
    expect(row?.precision, `wrongly matched: ${row?.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.98);
    expect(row?.recall, `missed: ${row?.falseNegatives.join(', ')}`).toBeGreaterThanOrEqual(0.98);
  });
});

describe('measureQuality', () => {
  const tiny: LabelledSet = {
    topics: [{ slug: 'nato', query: 'NATO' }, { slug: 'bad', query: '(' }],
    items: [
      { id: 'a', title: 'NATO meets', summary: '', contentHtml: '', categories: [], language: null, expected: ['nato'] },
      { id: 'b', title: 'Nato again', summary: '', contentHtml: '', categories: [], language: null, expected: [] },
      { id: 'c', title: 'Alliance', summary: '', contentHtml: '', categories: [], language: null, expected: ['nato'] },
      { id: 'd', title: 'Weather', summary: '', contentHtml: '', categories: [], language: null, expected: [] },
    ],
  };
  const tinyReport = measureQuality(tiny);

  it('counts true and false positives and negatives', () => {
    expect(tinyReport.topics[0]).toEqual({
      slug: 'nato', query: 'NATO', expected: 2, truePositives: 1, falsePositives: ['b'], falseNegatives: ['c'],
      precision: 0.5, recall: 0.5,
    });
  });

  it('reports a query that does not parse', () => {
    expect(tinyReport.rejected.map((r) => r.slug)).toEqual(['bad']);
  });

  it('prints a row per topic and the misses', () => {
    const text = formatQualityReport(tinyReport);
    expect(text).toMatch(/^nato +NATO +2 +1 +1 +1 +0\.500 +0\.500$/m);
    expect(text).toContain('nato: matched but not labelled: b');
    expect(text).toContain('nato: labelled but not matched: c');
  });
});
