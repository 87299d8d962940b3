import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readUint32sLE, writeUint32sLE } from '../src/uint32-bytes.js';

const VALUES = Uint32Array.of(0x01020304, 0xfffffffe, 0, 7);
// Little-endian, least significant byte first, after one byte the caller keeps for itself.
const BYTES = [0xaa, 4, 3, 2, 1, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 7, 0, 0, 0];

describe('32-bit words as little-endian bytes', () => {
  // Copying the array's bytes is right only on a little-endian machine; word by word, on any.
  for (const machineLittleEndian of endianness() === 'LE' ? [true, false] : [false]) {
    const path = machineLittleEndian ? 'copying the array\'s bytes' : 'word by word';
    it(`writes each word least significant byte first, at the offset, ${path}`, () => {
      const into = Buffer.alloc(BYTES.length, 0xaa);
      writeUint32sLE(VALUES, into, 1, machineLittleEndian);
      expect([...into]).toEqual(BYTES);
    });

    it(`writes a view into a larger array as its own words only, ${path}`, () => {
      const into = Buffer.alloc(8);
      writeUint32sLE(new Uint32Array(VALUES.buffer, 4, 2), into, 0, machineLittleEndian);
      expect([...into]).toEqual(BYTES.slice(5, 13));
    });

    it(`reads words from any alignment, into an array of their own, ${path}`, () => {
      // Inside a larger buffer and one byte in, as a value read from SQLite may sit.
      const stored = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(BYTES)]).subarray(3);
      const values = readUint32sLE(stored, 1, 4, machineLittleEndian);
      expect([...values]).toEqual([...VALUES]);
      stored[1] = 0x05;
      expect(values[0]).toBe(0x01020304);
    });
  }
});
