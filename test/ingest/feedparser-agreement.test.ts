import { describe, expect, it } from 'vitest';
import { FIELDS, oursFor, runFeedparser, theirsFor } from './support/agreement.js';
import { isWellFormedRealWorldKind, readManifest } from './support/corpus.js';

/** Disagreements we keep on purpose, as "file#field" → why our reading stands. */
const ACCEPTED: Record<string, string> = {
  'feed-rs/atom/atom_example_7.xml#link':
    'the entry has no link; feedparser copies its tag: id into link, we leave the link empty',
  'feed-rs/rss2/rss_2.0_nbcny.xml#published': '"Sat, Dec 16 2023 02:02:33 PM": feedparser drops the PM and is 12 hours early',
  'rsparser/OneFootTsunami.atom#link':
    '<link href=""> resolves to the feed document itself; we record no link rather than the feed URL',
  'rsparser/kc0011.rss#published':
    '"2020/1/10 14:33:00": feedparser reads every item as 2020-11-01 00:00, we read 10 January with its time',
};

const MIN_AGREEMENT = 0.98;

describe('agreement with Python feedparser on well-formed real-world feeds', () => {
  it(`title, link, id and published agree on at least ${MIN_AGREEMENT * 100}% of entries`, () => {
    const files = [...readManifest().values()].filter(isWellFormedRealWorldKind).map((row) => row.file);
    expect(files.length).toBeGreaterThan(100);
    const dump = runFeedparser(files);

    let compared = 0;
    let agreeing = 0;
    const disagreements = new Map<string, string[]>();
    const skipped: string[] = [];
    for (const file of files) {
      const theirs = dump.files[file];
      expect(theirs?.error, `feedparser on ${file}`).toBeUndefined();
      // feedparser releases without JSON Feed support return no entries for them: nothing to compare.
      if (file.endsWith('.json') && theirs!.entries.length === 0) {
        skipped.push(file);
        continue;
      }
      const ours = oursFor(file);
      const expected = theirsFor(file, theirs!.entries);
      for (let index = 0; index < Math.max(ours.length, expected.length); index++) {
        compared++;
        const differing = FIELDS.filter((field) => ours[index]?.[field] !== expected[index]?.[field]);
        if (differing.length === 0) agreeing++;
        for (const field of differing) {
          const key = `${file}#${field}`;
          const examples = disagreements.get(key) ?? [];
          examples.push(`entry ${index}: ours ${JSON.stringify(ours[index]?.[field])}, feedparser ${JSON.stringify(expected[index]?.[field])}`);
          disagreements.set(key, examples);
        }
      }
    }

    const rate = agreeing / compared;
    console.log(
      `feedparser ${dump.version}: ${agreeing}/${compared} entries agree (${(rate * 100).toFixed(2)}%) over ` +
        `${files.length - skipped.length} files; ${skipped.length} JSON Feed files skipped (this feedparser reads none)`,
    );
    for (const [key, examples] of disagreements) {
      console.log(`  ${key} ×${examples.length}: ${ACCEPTED[key] ? `accepted: ${ACCEPTED[key]}` : "NOT ACCEPTED"}\n    ${examples[0]}`);
    }

    const unexpected = [...disagreements.keys()].filter((key) => !ACCEPTED[key]);
    expect(unexpected.map((key) => `${key}: ${disagreements.get(key)![0]}`)).toEqual([]);
    const stale = Object.keys(ACCEPTED).filter((key) => !disagreements.has(key));
    expect(stale, 'accepted disagreements that no longer occur').toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(MIN_AGREEMENT);
  }, 120_000);
});
