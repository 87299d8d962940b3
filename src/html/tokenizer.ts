import { Tokenizer } from 'htmlparser2';

const LESS_THAN = 0x3c;
const AMPERSAND = 0x26;

/**
 * The parts of htmlparser2's tokenizer the fast paths below read and replace. Private in its
 * types, but the same from 10.0 through 12.x; `hasTokenizerInternals` checks them at load time,
 * and test/html/tokenizer.test.ts fails when they are gone.
 */
interface TokenizerInternals {
  buffer: string;
  index: number;
  offset: number;
  decodeEntities: boolean;
  stateText(c: number): void;
  handleInAttributeValue(c: number, quote: number): void;
}

/** Index of the first of a or b in text at or after from, or text.length. */
function nextOf(text: string, from: number, a: number, b: number): number {
  let i = from;
  for (const end = text.length; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === a || c === b) break;
  }
  return i;
}

/**
 * htmlparser2's tokenizer with the same output, faster where entities are decoded. There it steps
 * through text and attribute values one character at a time, each through its state switch, to
 * see every "&"; when it decodes none it jumps to the next "<" instead. The sanitizer needs
 * entities decoded (in attribute values, too), and an item's HTML is ~6 KB of mostly plain text:
 * this tokenizer jumps to the next character that does anything, "<" or "&" in text, the closing
 * quote or "&" in a quoted value, and leaves the rest to the original states.
 */
export class SkippingTokenizer extends Tokenizer {}

function hasTokenizerInternals(prototype: Partial<TokenizerInternals>): prototype is TokenizerInternals {
  return typeof prototype.stateText === 'function' && typeof prototype.handleInAttributeValue === 'function';
}

const base = Tokenizer.prototype as unknown as Partial<TokenizerInternals>;
/** Whether SkippingTokenizer skips; false (plain htmlparser2) should a release rename what it replaces. */
export const TOKENIZER_SKIPS = hasTokenizerInternals(base);

if (hasTokenizerInternals(base)) {
  const { stateText, handleInAttributeValue } = base;
  const skipping = SkippingTokenizer.prototype as unknown as TokenizerInternals;
  skipping.stateText = function (this: TokenizerInternals, c: number): void {
    if (c === LESS_THAN || c === AMPERSAND || !this.decodeEntities) {
      stateText.call(this, c);
      return;
    }
    // The parse loop steps past index next: leave it on the character before the one that acts.
    this.index = nextOf(this.buffer, this.index - this.offset + 1, LESS_THAN, AMPERSAND) - 1 + this.offset;
  };
  skipping.handleInAttributeValue = function (this: TokenizerInternals, c: number, quote: number): void {
    if (c === quote || c === AMPERSAND || !this.decodeEntities) {
      handleInAttributeValue.call(this, c, quote);
      return;
    }
    this.index = nextOf(this.buffer, this.index - this.offset + 1, quote, AMPERSAND) - 1 + this.offset;
  };
}
