import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnalyzedDoc } from '../../src/topics/text.js';
import { mayMeet, type Requirement } from '../../src/topics/topic-requirements.js';
import { buildScreen, markNorms, passesScreen } from '../../src/topics/topic-screen.js';

// The screen is mayMeet over every clause of a topic, kept as numbers: for any topics and any
// documents screened one after another, it must say what mayMeet says.

const NORMS = ['nato', 'missil', 'defens', 'russia', 'summit', 'lisbon', 'budget'];
const clause: fc.Arbitrary<Requirement> = fc.record({
  norms: fc.uniqueArray(fc.constantFrom(...NORMS), { maxLength: 3 }),
  prefixes: fc.oneof({ weight: 5, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.constant<string[]>(['nat']) }),
  languages: fc.oneof({ weight: 5, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.constantFrom<string[]>(['en'], ['fr']) }),
  feedIds: fc.oneof({ weight: 5, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.constantFrom<number[]>([1], [2, 3]) }),
});
const doc = fc.record({
  norms: fc.uniqueArray(fc.constantFrom(...NORMS, 'other'), { maxLength: 5 }).map((norms) => new Set(norms)),
  language: fc.constantFrom(null, 'en', 'en-gb', 'fr'),
  feedId: fc.constantFrom(null, 1, 2, 3),
}).map((fields) => ({ ...fields, fields: {}, words: [] }) as unknown as AnalyzedDoc);

describe('the topic screen', () => {
  it('says what mayMeet of every clause says, document after document', () => {
    fc.assert(
      fc.property(fc.array(fc.array(clause, { maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.array(doc, { minLength: 1, maxLength: 5 }),
        fc.boolean(), (topics, docs, wrap) => {
          const screen = buildScreen(topics);
          docs.forEach((document, i) => {
            // Passes count up from 1; a wrapped counter starts at 1 again, over earlier marks.
            const pass = wrap && i > 0 && i === docs.length - 1 ? 1 : i + 1;
            markNorms(screen, document, pass);
            topics.forEach((clauses, n) => {
              expect(passesScreen(screen, n, document, pass)).toBe(clauses.every((c) => mayMeet(document, c)));
            });
          });
        }),
      { numRuns: 1000 },
    );
  });
});
