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

const DAY_MS = 86_400_000;
const EMPTY = 0;

/**
 * Multimap from a 32-bit key to item ids (never 0): open addressing with linear probing, in Robin
 * Hood order. Nearly every lookup misses (a new item shares few of its keys), and a plain probe
 * run ends only at an empty slot, on average 13 slots away at 80% full; here a miss stops at the
 * first entry nearer its own home than the key would be. A slot holds the key and the id side by
 * side, so a probe reads one cache line: the tables are far larger than the CPU caches.
 */
class KeyTable {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  add(key: number, id: number): void {
    // Up to 80% full: runs stay short (keys are uniform hashes) and memory is what bounds the index.
    if ((this.size + 1) * 5 > (this.mask + 1) * 4) this.grow();
    const { slots, mask } = this;
    this.size++;
    // Robin Hood: an entry further from its home slot takes the place of one nearer to its own.
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

  /** Counts one shared key for each id filed under the key. */
  collect(key: number, into: Map<number, number>): void {
    const { slots, mask } = this;
    for (let slot = key & mask, distance = 0; ; slot = (slot + 1) & mask, distance++) {
      const id = slots[2 * slot + 1]!;
      if (id === EMPTY) return;
      const resident = slots[2 * slot]!;
      if (resident === key) into.set(id, (into.get(id) ?? 0) + 1);
      // Past every entry that could be ours: the resident is nearer its home than we are to ours.
      else if (((slot - resident) & mask) < distance) return;
    }
  }

  get bytes(): number {
    return this.slots.length * 4;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== EMPTY) this.add(old[i]!, old[i + 1]!);
  }
}

const SHARD_BITS = 4;

/**
 * One day's keys, split by their top bits into tables that grow one at a time: growing copies a
 * sixteenth of the day, not all of it next to a table twice its size.
 */
class DayTable {
  private readonly shards = Array.from({ length: 1 << SHARD_BITS }, () => new KeyTable());
  size = 0;

  add(key: number, id: number): void {
    this.shards[key >>> (32 - SHARD_BITS)]!.add(key, id);
    this.size++;
  }

  collect(key: number, into: Map<number, number>): void {
    this.shards[key >>> (32 - SHARD_BITS)]!.collect(key, into);
  }

  get bytes(): number {
    return this.shards.reduce((sum, shard) => sum + shard.bytes, 0);
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
  const buf = Buffer.alloc(keys.length * 4);
  keys.forEach((key, i) => buf.writeUInt32LE(key, i * 4));
  return buf;
}

export function readBandKeys(buf: Buffer): Uint32Array {
  const keys = new Uint32Array(buf.length >>> 2);
  for (let i = 0; i < keys.length; i++) keys[i] = buf.readUInt32LE(i * 4);
  return keys;
}

export class BandIndex {
  // Map order is use order: a day is moved to the end each time it is used.
  private readonly days = new Map<number, DayTable>();
  private entries = 0;

  /** @param maxEntries keys kept in memory before the least recently used days are dropped */
  constructor(private readonly maxEntries: number) {}

  has(day: number): boolean {
    return this.days.has(day);
  }

  /** Starts a day's table; its stored items are then added by the caller. */
  open(day: number): void {
    if (!this.days.has(day)) this.days.set(day, new DayTable());
  }

  /** Files an item under its keys, when its day is loaded (an unloaded day reads it from the table later). */
  add(day: number, id: number, keys: Uint32Array): void {
    const table = this.days.get(day);
    if (!table) return;
    for (let i = 0; i < keys.length; i++) table.add(keys[i]!, id);
    this.entries += keys.length;
  }

  /** Ids filed under at least `minShared` of the keys in the given (loaded) days. */
  candidates(days: number[], keys: Uint32Array, minShared: number): number[] {
    const shared = new Map<number, number>();
    for (const day of days) {
      const table = this.days.get(day);
      if (!table) continue;
      this.days.delete(day);
      this.days.set(day, table);
      for (let i = 0; i < keys.length; i++) table.collect(keys[i]!, shared);
    }
    const found: number[] = [];
    for (const [id, count] of shared) if (count >= minShared) found.push(id);
    return found;
  }

  /** Drops least recently used days until the budget holds, never the ones named. */
  trim(keep: number[]): void {
    for (const [day, table] of this.days) {
      if (this.entries <= this.maxEntries) return;
      if (keep.includes(day)) continue;
      this.days.delete(day);
      this.entries -= table.size;
    }
  }

  get size(): number {
    return this.entries;
  }

  /** Memory held by the tables. */
  get bytes(): number {
    let sum = 0;
    for (const table of this.days.values()) sum += table.bytes;
    return sum;
  }
}
