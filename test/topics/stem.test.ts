import { describe, expect, it } from 'vitest';
import { stem } from '../../src/topics/stem.js';

describe('stem', () => {
  it.each([
    ['plural -s', 'systems', 'system'],
    ['plural after e, then the e', 'defences', 'defenc'],
    ['plural -ies', 'policies', 'polici'],
    ['-y meets -ies', 'policy', 'polici'],
    ['-sses', 'presses', 'press'],
    ['-ss kept', 'press', 'press'],
    ['-us kept', 'virus', 'virus'],
    ['-uses meets -us', 'viruses', 'virus'],
    ['-is kept', 'crisis', 'crisis'],
    ['-ed', 'targeted', 'target'],
    ['-ing', 'targeting', 'target'],
    ['-ed with doubled consonant', 'planned', 'plan'],
    ['-ed restoring e after iz', 'organized', 'organiz'],
    ['-e removed', 'organize', 'organiz'],
    ['-eed keeps ee', 'agreed', 'agre'],
    ['need is not a verb ending', 'need', 'need'],
    ['-ing needs a vowel before it', 'bring', 'bring'],
    ['-ll reduced', 'controlled', 'control'],
    ['missile and missiles meet', 'missiles', 'missil'],
    ['cafe keeps its e (cvc)', 'cafe', 'cafe'],
    ['acronym untouched', 'nato', 'nato'],
    ['two letters untouched', 'us', 'us'],
    ['digits untouched', '2008', '2008'],
    ['non-ASCII untouched', 'россия', 'россия'],
  ])('%s: %s -> %s', (_name, word, expected) => {
    expect(stem(word)).toBe(expected);
  });

  it.each([
    ['defense', 'defenses'],
    ['target', 'targeted'],
    ['license', 'licensing'],
    ['license', 'licensed'],
    ['peacekeeper', 'peacekeepers'],
    ['ferry', 'ferries'],
    ['travel', 'travelled'],
    ['travel', 'traveled'],
    ['hope', 'hoped'],
    ['use', 'used'],
  ])('%s and %s share a stem', (a, b) => {
    expect(stem(a)).toBe(stem(b));
  });

  it.each([
    ['nato', 'senator'],
    ['general', 'generate'],
    ['univers', 'university'],
  ])('%s and %s stay apart', (a, b) => {
    expect(stem(a)).not.toBe(stem(b));
  });
});
