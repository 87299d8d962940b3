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
  fastForwardTo(c: number): boolean;
}

/** Where the next "&" of the current buffer is: searched for once, then again only past the one found. */
interface AmpersandCursor {
  /** Where the last search in this buffer started (-1: none since the buffer was set). */
  ampFrom: number;
  /** The first "&" at or after ampFrom (-1: none). */
  ampAt: number;
}

/**
 * Index of the first `stop` or "&" in buffer at or after from, or buffer.length. indexOf scans
 * far faster than a loop over charCodeAt but finds one character: the "&" found is kept, so a
 * buffer with few of them is not searched to its end at every step.
 */
function nextStopOrAmpersand(cursor: AmpersandCursor, buffer: string, from: number, stop: string): number {
  if (cursor.ampFrom === -1 || from < cursor.ampFrom || (cursor.ampAt !== -1 && cursor.ampAt < from)) {
    cursor.ampFrom = from;
    cursor.ampAt = buffer.indexOf('&', from);
  }
  const stopAt = buffer.indexOf(stop, from);
  const end = stopAt === -1 ? buffer.length : stopAt;
  return cursor.ampAt !== -1 && cursor.ampAt < end ? cursor.ampAt : end;
}

/**
 * htmlparser2's tokenizer with the same output, faster. Where it decodes entities, it steps
 * through text and attribute values one character at a time, each through its state switch, to
 * see every "&"; where it does not, it jumps to the next "<" or quote, but by a loop over
 * charCodeAt. The sanitizer needs entities decoded (in attribute values, too), and an item's HTML
 * is ~6 KB of mostly plain text: this tokenizer jumps to the next character that does anything,
 * "<" or "&" in text, the closing quote or "&" in a quoted value, and makes every jump by indexOf.
 * The states themselves are the original's.
 */
export class SkippingTokenizer extends Tokenizer implements AmpersandCursor {
  ampFrom = -1;
  ampAt = -1;

  // Every buffer comes through here (the next chunk, or a new document after a reset): its
  // search starts over.
  override write(chunk: string): void {
    this.ampFrom = -1;
    super.write(chunk);
  }
}

function hasTokenizerInternals(prototype: Partial<TokenizerInternals>): prototype is TokenizerInternals {
  return typeof prototype.stateText === 'function' && typeof prototype.handleInAttributeValue === 'function'
    && typeof prototype.fastForwardTo === 'function';
}

const base = Tokenizer.prototype as unknown as Partial<TokenizerInternals>;
/** Whether SkippingTokenizer skips; false (plain htmlparser2) should a release rename what it replaces. */
export const TOKENIZER_SKIPS = hasTokenizerInternals(base);

type Skipping = TokenizerInternals & AmpersandCursor;

if (hasTokenizerInternals(base)) {
  const { stateText, handleInAttributeValue } = base;
  const skipping = SkippingTokenizer.prototype as unknown as Skipping;
  skipping.stateText = function (this: Skipping, c: number): void {
    if (c === LESS_THAN || c === AMPERSAND || !this.decodeEntities) {
      stateText.call(this, c);
      return;
    }
    // The parse loop steps past index next: leave it on the character before the one that acts.
    this.index = nextStopOrAmpersand(this, this.buffer, this.index - this.offset + 1, '<') - 1 + this.offset;
  };
  skipping.handleInAttributeValue = function (this: Skipping, c: number, quote: number): void {
    if (c === quote || c === AMPERSAND || !this.decodeEntities) {
      handleInAttributeValue.call(this, c, quote);
      return;
    }
    const at = nextStopOrAmpersand(this, this.buffer, this.index - this.offset + 1, String.fromCharCode(quote));
    this.index = at - 1 + this.offset;
  };
  // The original's jump to a character (the "<" ending text when entities are left alone, the
  // end of a tag, comment or quoted value): true with index on it; false with index on the
  // buffer's last character, which the parse loop then steps past.
  skipping.fastForwardTo = function (this: Skipping, c: number): boolean {
    const at = this.buffer.indexOf(String.fromCharCode(c), this.index - this.offset + 1);
    if (at !== -1) {
      this.index = at + this.offset;
      return true;
    }
    this.index = this.buffer.length + this.offset - 1;
    return false;
  };
}
