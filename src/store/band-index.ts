/*
 * Which stored items share an LSH band key with a new one: the candidates clustering compares.
 *
 * Kept in memory, not in an SQL index: an item has 64 keys with random values, and inserting
 * them into a B-tree costs about 6 µs each once the tree outgrows the cache (every commit
 * rewrites pages all over it), against 20 µs for the same 64 keys in key order. Here a key costs
 * two array writes.
 *
 * Items are filed by the day of their sort time, since a new item only meets items within
 * STORY_WINDOW_HOURS of its own. The store loads a day from its table the first time an item
 * needs it and drops the least recently used days past a budget of entries. An id found here is
 * a hint only: the store reads the item back before comparing, so ids of items deleted since,
 * or of a rolled-back write, cost a lookup and nothing more.
 */

import { readUint32sLE, writeUint32sLE } from '../uint32-bytes.js';

const DAY_MS = 86_400_000;
const EMPTY = 0;

const SHARD_BITS = 4;
/** The key bits a shard leaves free (its number is the key's top bits): they hold the day's tag instead. */
const TAG_SHIFT = 32 - SHARD_BITS;
const LOW_BITS = 2 ** TAG_SHIFT - 1;
/** Days held at once at most: a day is tagged with its number modulo this, and two loaded days never share a tag. */
export const MAX_LOADED_DAYS = 2 ** SHARD_BITS;

function tagOf(day: number): number {
  return ((day % MAX_LOADED_DAYS) + MAX_LOADED_DAYS) % MAX_LOADED_DAYS;
}

/**
 * Multimap from a key's low bits and a day's tag to item ids (never 0): open addressing with
 * linear probing, in Robin Hood order. Nearly every lookup misses (a new item shares few of its
 * keys), and a plain probe run ends only at an empty slot, on average 13 slots away at 80% full;
 * here a miss stops at the first entry nearer its own home than the key would be. A slot holds the
 * tagged key and the id side by side, so a probe reads one cache line: the tables are far larger
 * than the CPU caches. Every loaded day shares the table, so a key costs one probe whatever the
 * number of days asked for (a story window spans up to five).
 */
class KeyTable {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** @param tagged the key's low bits, with the day's tag in the top ones */
  add(tagged: number, id: number): void {
    // Up to 80% full: runs stay short (keys are uniform hashes) and memory is what bounds the index.
    if ((this.size + 1) * 5 > (this.mask + 1) * 4) this.grow(this.slots.length);
    const { slots, mask } = this;
    this.size++;
    let key = tagged;
    // Robin Hood: an entry further from its home slot takes the place of one nearer to its own.
    // A home is the key's low bits (the mask never reaches the tag), the same for every day.
    for (let slot = key & mask, distance = 0; ; slot = (slot + 1) & mask, distance++) {
      const resident = slots[2 * slot + 1]!;
      if (resident === EMPTY) {
        slots[2 * slot] = key;
        slots[2 * slot + 1] = id;
        return;
      }
      const residentKey = slots[2 * slot]!;
      const residentDistance = (slot - residentKey) & mask;
      if (residentDistance < distance) {
        slots[2 * slot] = key;
        slots[2 * slot + 1] = id;
        key = residentKey;
        id = resident;
        distance = residentDistance;
      }
    }
  }

  /** The id in the home slot of a key's low bits: read only to bring the slot into the CPU's cache. */
  home(low: number): number {
    return this.slots[2 * (low & this.mask) + 1]!;
  }

  /** Counts one shared key for each id filed under the key's low bits in a day whose tag bit is in `tags`. */
  collect(low: number, tags: number, into: Map<number, number>): void {
    const { slots, mask } = this;
    for (let slot = low & mask, distance = 0; ; slot = (slot + 1) & mask, distance++) {
      const id = slots[2 * slot + 1]!;
      if (id === EMPTY) return;
      const resident = slots[2 * slot]!;
      if ((resident & LOW_BITS) === low) {
        if (tags & (1 << (resident >>> TAG_SHIFT))) into.set(id, (into.get(id) ?? 0) + 1);
      } else if (((slot - resident) & mask) < distance) {
        // Past every entry that could be ours: the resident is nearer its home than we are to ours.
        return;
      }
    }
  }

  /** Drops the entries of the days whose tag bit is in `tags`, and the room they took. */
  drop(tags: number): void {
    const { slots } = this;
    let kept = 0;
    for (let i = 0; i < slots.length; i += 2) if (slots[i + 1] !== EMPTY && !(tags & (1 << (slots[i]! >>> TAG_SHIFT)))) kept++;
    let capacity = 1024;
    while (kept * 5 > capacity * 4) capacity *= 2;
    this.grow(capacity, tags);
  }

  get bytes(): number {
    return this.slots.length * 4;
  }

  private grow(capacity: number, dropTags = 0): void {
    const old = this.slots;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] !== EMPTY && !(dropTags & (1 << (old[i]! >>> TAG_SHIFT)))) this.add(old[i]!, old[i + 1]!);
    }
  }
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function dayRange(day: number): { from: string; to: string } {
  return { from: new Date(day * DAY_MS).toISOString(), to: new Date((day + 1) * DAY_MS).toISOString() };
}

/** Band keys as the store keeps them: 4 bytes each, little-endian. */
export function writeBandKeys(keys: Uint32Array): Buffer {
  const buf = Buffer.allocUnsafe(keys.length * 4);
  writeUint32sLE(keys, buf, 0);
  return buf;
}

export function readBandKeys(buf: Buffer): Uint32Array {
  return readUint32sLE(buf, 0, buf.length >>> 2);
}

/**
 * The keys of the loaded days, split by their top bits into tables that grow one at a time:
 * growing copies a sixteenth of the index, not all of it next to a table twice its size.
 */
export class BandIndex {
  private readonly shards = Array.from({ length: 1 << SHARD_BITS }, () => new KeyTable());
  // Loaded day -> its number of entries, and when it was last used. Use sets a number rather than
  // moving the day to the end of the Map: a delete and a set on every lookup made the Map rebuild
  // its table at nearly every save's first item, and each table, held by a Map in the old
  // generation, was promoted (~13 MB a 1,000-feed first load).
  private readonly days = new Map<number, { count: number; used: number }>();
  private clock = 0;
  private readonly dayOfTag = new Map<number, number>();
  private entries = 0;
  /** What the last touchHomes read, kept so that its loads are not optimized away. */
  private touched = 0;

  /** @param maxEntries keys kept in memory before the least recently used days are dropped */
  constructor(private readonly maxEntries: number) {}

  has(day: number): boolean {
    return this.days.has(day);
  }

  /**
   * Starts a day; its stored items are then added by the caller. A loaded day with the same tag
   * (MAX_LOADED_DAYS days away or more, so never in the same story window) is dropped first.
   */
  open(day: number): void {
    if (this.days.has(day)) return;
    const other = this.dayOfTag.get(tagOf(day));
    if (other !== undefined) this.drop([other]);
    this.days.set(day, { count: 0, used: ++this.clock });
    this.dayOfTag.set(tagOf(day), day);
  }

  /** Files an item under its keys, when its day is loaded (an unloaded day reads it from the table later). */
  add(day: number, id: number, keys: Uint32Array): void {
    const loaded = this.days.get(day);
    if (loaded === undefined) return;
    const tag = tagOf(day) * 2 ** TAG_SHIFT;
    this.touchHomes(keys);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.shards[key >>> TAG_SHIFT]!.add((key & LOW_BITS) + tag, id);
    }
    loaded.count += keys.length;
    this.entries += keys.length;
  }

  /** Ids filed under at least `minShared` of the keys in the given (loaded) days. */
  candidates(days: number[], keys: Uint32Array, minShared: number): number[] {
    let tags = 0;
    for (const day of days) {
      const loaded = this.days.get(day);
      if (loaded === undefined) continue;
      loaded.used = ++this.clock;
      tags |= 1 << tagOf(day);
    }
    if (tags === 0) return [];
    this.touchHomes(keys);
    const shared = new Map<number, number>();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.shards[key >>> TAG_SHIFT]!.collect(key & LOW_BITS, tags, shared);
    }
    const found: number[] = [];
    for (const [id, count] of shared) if (count >= minShared) found.push(id);
    return found;
  }

  /**
   * Reads the home slot of every key first. Each is a cache miss nearly every time (a first load's
   * tables fill the CPU's last cache alone), and a probe waits on its miss before the next starts;
   * loads that depend on nothing before them, in a loop of their own, are waited on together, and
   * the probes then find their slots cached. Asking 20,000 items' keys of an index of 3.2 million
   * entries, four alternating rounds: 3.8-5.2 µs an item with, 6.2-9.1 without; filing 50,000
   * items' keys, 6.0-6.9 against 7.6-9.1 µs. In a first load, add() finds the slots candidates()
   * just read; its read pays where a day is loaded from the table.
   */
  private touchHomes(keys: Uint32Array): void {
    let touched = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      touched |= this.shards[key >>> TAG_SHIFT]!.home(key & LOW_BITS);
    }
    this.touched = touched;
  }

  /**
   * Drops least recently used days until the budget holds, never the ones named. A day without
   * entries stays: dropping it frees nothing, and the next window to include it would load it
   * again. (Past the budget with every day in use, as when one day holds more than the budget,
   * each save calls this and drops nothing.)
   */
  trim(keep: number[]): void {
    if (this.entries <= this.maxEntries) return;
    const dropped: number[] = [];
    let entries = this.entries;
    for (const [day, { count }] of [...this.days].sort(([, a], [, b]) => a.used - b.used)) {
      if (entries <= this.maxEntries) break;
      if (count === 0 || keep.includes(day)) continue;
      dropped.push(day);
      entries -= count;
    }
    if (dropped.length > 0) this.drop(dropped);
  }

  // Copies every table without the days' entries: only when they have some.
  private drop(days: number[]): void {
    let tags = 0;
    for (const day of days) {
      const count = this.days.get(day)?.count ?? 0;
      if (count > 0) tags |= 1 << tagOf(day);
      this.entries -= count;
      this.days.delete(day);
      this.dayOfTag.delete(tagOf(day));
    }
    if (tags !== 0) for (const shard of this.shards) shard.drop(tags);
  }

  get size(): number {
    return this.entries;
  }

  /** Memory held by the tables. */
  get bytes(): number {
    return this.shards.reduce((sum, shard) => sum + shard.bytes, 0);
  }
}
