import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument, DomUtils } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import {
  deserializeSignature,
  fingerprintStory,
  isSameStoredStory,
  isSameStory,
  serializeSignature,
} from '../../src/stories/fingerprint.js';
import { storyWords } from '../../src/stories/normalize.js';
import { fmix32, hashString, nestedMinHash } from '../../src/stories/minhash.js';

const FEEDS = resolve(import.meta.dirname, '../fixtures/feeds');

// The seed story's title, summary and content HTML as each outlet's feed carries it. The XML is
// read with htmlparser2 (entities decoded once, CDATA kept), so eastern-desk's escaped HTML comes
// out as HTML, as a feed parser would hand it over.
function seedEntry(file: string, entryTag: string, contentTag: string): { title: string; text: string } {
  const doc = parseDocument(readFileSync(resolve(FEEDS, file), 'utf8'), { xmlMode: true, decodeEntities: true, recognizeCDATA: true });
  const entry = DomUtils.getElementsByTagName(entryTag, doc).find((el) =>
    DomUtils.textContent(DomUtils.getElementsByTagName('title', el)[0] ?? el).includes('NATO, Russia'),
  );
  if (!entry) throw new Error(`no seed entry in ${file}`);
  const text = (tag: string) => DomUtils.textContent(DomUtils.getElementsByTagName(tag, entry)[0] ?? []);
  const summary = text(entryTag === 'item' ? 'description' : 'summary');
  return { title: text('title'), text: `${htmlToText(summary)} ${htmlToText(text(contentTag))}` };
}

describe('fingerprintStory', () => {
  it('the two outlets\' copies of the seed story are one story', () => {
    const worldWire = seedEntry('world-wire.rss', 'item', 'content:encoded');
    const easternDesk = seedEntry('eastern-desk.atom', 'entry', 'content');
    expect(easternDesk.text).toContain('"from Vancouver to Vladivostok"');
    expect(easternDesk.text).not.toContain('<p>');
    const a = fingerprintStory(worldWire.title, worldWire.text);
    const b = fingerprintStory(easternDesk.title, easternDesk.text);
    expect(a.bandKeys.some((key) => b.bandKeys.includes(key))).toBe(true);
    expect(isSameStory(a.signature, b.signature)).toBe(true);
  });

  it('the seed story and the other stories of the same feeds are different stories', () => {
    const seed = fingerprintStory('NATO, Russia consider joint missile defence plan', seedEntry('world-wire.rss', 'item', 'content:encoded').text);
    const others = [
      ['Afghan transit route reopens for supply convoys', 'Rail freight bound for NATO-led forces in Afghanistan resumed on Wednesday after a two-week pause, officials said.'],
      ['Gas transit talks resume in Kyiv', 'Negotiators met for a third round on winter gas volumes and transit fees.'],
    ] as const;
    for (const [title, text] of others) expect(isSameStory(seed.signature, fingerprintStory(title, text).signature)).toBe(false);
  });

  it('is deterministic: the same text gives the same signature and keys', () => {
    const a = fingerprintStory('Storm closes two ferry ports', 'High winds and heavy seas halted crossings.');
    const b = fingerprintStory('Storm closes two ferry ports', 'High winds and heavy seas halted crossings.');
    expect(Array.from(a.signature)).toEqual(Array.from(b.signature));
    expect(a.bandKeys).toEqual(b.bandKeys);
    expect(a.bandKeys.length).toBeGreaterThan(0);
    expect(new Set(a.bandKeys).size).toBe(a.bandKeys.length);
  });

  it('an item without words gets no band keys and matches nothing, not even itself', () => {
    const empty = fingerprintStory('', '  — ');
    expect(empty.bandKeys).toHaveLength(0);
    expect(isSameStory(empty.signature, empty.signature)).toBe(false);
  });

  it('identical very short titles are not enough to call two items one story', () => {
    const a = fingerprintStory('Weather', '');
    const b = fingerprintStory('Weather', '');
    expect(isSameStory(a.signature, b.signature)).toBe(false);
  });

  it('case, accents, compatibility forms and punctuation do not change the fingerprint', () => {
    const a = fingerprintStory('Medvedev to attend Lisbon summit', 'Russian President Dmitry Medvedev will attend, the Kremlin said.');
    const b = fingerprintStory('MEDVÉDEV to attend “Lisbon” summit', 'Russian President Dmitry Medvédev will attend —\u00a0the Kremlin said…');
    expect(Array.from(b.signature)).toEqual(Array.from(a.signature));
  });
});

describe('storyWords', () => {
  it.each([
    ['NATO-led forces', ['nato', 'led', 'forces']],
    ['Russia`s invasion', ['russia', 's', 'invasion']],
    ['Medvédev, Curaçao', ['medvedev', 'curacao']],
    ['ＮＡＴＯ ﬁnally', ['nato', 'finally']],
    ['November 19-20, 2010', ['november', '19', '20', '2010']],
    ['Москва: НАТО', ['москва', 'нато']],
  ])('%s → %j', (text, words) => {
    expect(storyWords(text)).toEqual(words);
  });
});

describe('signature bytes', () => {
  const fingerprint = fingerprintStory('Storm closes two ferry ports', 'High winds and heavy seas halted crossings from both ports.');

  it('round-trips through serializeSignature / deserializeSignature', () => {
    const bytes = serializeSignature(fingerprint.signature);
    expect(bytes.length).toBe(1 + fingerprint.signature.length * 4);
    expect(Array.from(deserializeSignature(bytes) ?? [])).toEqual(Array.from(fingerprint.signature));
  });

  it('refuses bytes of another length or version', () => {
    const bytes = serializeSignature(fingerprint.signature);
    expect(deserializeSignature(bytes.subarray(0, bytes.length - 4))).toBeNull();
    const otherVersion = Buffer.from(bytes);
    otherVersion.writeUInt8(99, 0);
    expect(deserializeSignature(otherVersion)).toBeNull();
    expect(deserializeSignature(Buffer.alloc(0))).toBeNull();
  });

  it('isSameStoredStory compares stored bytes, and unreadable bytes are never the same story', () => {
    const copy = fingerprintStory('Storm shuts two ferry ports', 'High winds and heavy seas halted crossings from both ports.');
    const other = fingerprintStory('Port workers vote to strike over pay', 'Dock workers at the container port voted to strike over pay.');
    const bytes = serializeSignature(fingerprint.signature);
    expect(isSameStoredStory(bytes, serializeSignature(copy.signature))).toBe(true);
    expect(isSameStoredStory(bytes, serializeSignature(other.signature))).toBe(false);
    expect(isSameStoredStory(bytes, Buffer.from('garbage'))).toBe(false);
  });
});

describe('isSameStory properties', () => {
  const pairs = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/story-pairs.json'), 'utf8')) as {
    pairs: { a: { title: string; text: string }; b: { title: string; text: string } }[];
  }).pairs;
  const texts = pairs.flatMap((p) => [p.a, p.b]);

  it('is symmetric and reflexive for every labelled text', () => {
    const prints = texts.map((t) => fingerprintStory(t.title, t.text).signature);
    for (const a of prints) {
      expect(isSameStory(a, a)).toBe(true);
      for (const b of prints) expect(isSameStory(a, b)).toBe(isSameStory(b, a));
    }
  });

  it('a copy that only changes case, accents and punctuation is always the same story', () => {
    const shout = (s: string) => s.toUpperCase().replace(/e/gi, 'É').replace(/,/g, ' ;');
    for (const t of texts) {
      const a = fingerprintStory(t.title, t.text);
      const b = fingerprintStory(shout(t.title), shout(t.text));
      expect(isSameStory(a.signature, b.signature)).toBe(true);
    }
  });
});

describe('nestedMinHash', () => {
  it('equals the MinHash of the whole set and of the inner set, each hashed on its own', () => {
    const inner = ['nato summit', 'summit opens', 'opens in', 'in vilnius'];
    const outer = ['leaders agree', 'agree on', 'on air', 'air defence'];
    // The reference: every shingle hashed with every seed, no sharing.
    const reference = (shingles: string[], k: number): number[] => {
      const seeds: number[] = [];
      let state = 0x9e3779b9;
      for (let i = 0; i < k; i++) seeds.push(fmix32((state = (state + 0x9e3779b9) >>> 0)));
      return seeds.map((seed) => Math.min(...shingles.map((s) => fmix32((hashString(s) ^ seed) >>> 0))));
    };
    const whole = new Uint32Array(128);
    const innerMins = new Uint32Array(96);
    nestedMinHash(inner.map(hashString), outer.map(hashString), whole, innerMins);
    expect([...whole]).toEqual(reference([...inner, ...outer], 128));
    expect([...innerMins]).toEqual(reference(inner, 96));
  });
});
