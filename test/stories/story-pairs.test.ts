import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintStory, isSameStory, STORY_MIN_SHARED_KEYS, storySimilarity, type StoryFingerprint } from '../../src/stories/fingerprint.js';

interface LabelledPair {
  id: string;
  label: 'same' | 'different';
  kind: string;
  note: string;
  a: { title: string; text: string };
  b: { title: string; text: string };
}

const { pairs } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/story-pairs.json'), 'utf8')) as { pairs: LabelledPair[] };

function sharesBand(a: StoryFingerprint, b: StoryFingerprint): boolean {
  const keys = new Set(a.bandKeys);
  return b.bandKeys.filter((key) => keys.has(key)).length >= STORY_MIN_SHARED_KEYS;
}

// What the store does: a pair merges only if the band index offers it as a candidate (enough
// shared keys) and the signatures then agree.
function merged(pair: LabelledPair): boolean {
  const a = fingerprintStory(pair.a.title, pair.a.text);
  const b = fingerprintStory(pair.b.title, pair.b.text);
  return sharesBand(a, b) && isSameStory(a.signature, b.signature);
}

describe('labelled story pairs', () => {
  it('has enough pairs of both kinds to mean something', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
    expect(pairs.filter((p) => p.label === 'same').length).toBeGreaterThanOrEqual(15);
    expect(pairs.filter((p) => p.label === 'different').length).toBeGreaterThanOrEqual(15);
  });

  it('no different stories merge, and at most 10% of same-story pairs are missed', () => {
    const rows = pairs.map((pair) => {
      const a = fingerprintStory(pair.a.title, pair.a.text);
      const b = fingerprintStory(pair.b.title, pair.b.text);
      const { jaccard, containment, smallerSize } = storySimilarity(a.signature, b.signature);
      return { id: pair.id, kind: pair.kind, jaccard: jaccard.toFixed(2), containment: containment.toFixed(2), smallerSize, candidate: sharesBand(a, b), merged: merged(pair) };
    });
    if (process.env.STORY_PAIRS_REPORT) console.table(rows);
    const falseMerges = pairs.filter((p) => p.label === 'different' && merged(p)).map((p) => p.id);
    const missed = pairs.filter((p) => p.label === 'same' && !merged(p)).map((p) => p.id);
    const same = pairs.filter((p) => p.label === 'same').length;
    expect(falseMerges).toEqual([]);
    expect(missed.length / same, `missed: ${missed.join(', ')}`).toBeLessThanOrEqual(0.1);
  });
});
