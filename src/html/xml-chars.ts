// Characters XML 1.0 forbids outright (C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF). One of them anywhere makes a whole feed unreadable to a strict parser, so they
// are dropped rather than escaped (XML has no escape for them either): from content when it is
// sanitized, so stored content can be republished as it is, and from every other field on output.

// Every forbidden character but the lone surrogates, which need the characters around them.
const FORBIDDEN_UNITS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF';

/**
 * A character class holding every forbidden character, and the halves of surrogate pairs too (a
 * class cannot tell a lone one): for a pattern that finds what may need dropping.
 */
export const FORBIDDEN_CLASS = `${FORBIDDEN_UNITS}\\uD800-\\uDFFF`;

const NOT_XML_CHAR = new RegExp(`[${FORBIDDEN_UNITS}]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]`, 'g');
// Almost no value (titles, names, URLs) holds one: tested first with a plain class, such a value
// took 25-31 ns against 38-47 through the pattern, whose lookarounds are tried at every position.
// A rendered entry passes ~15 values.
const MAY_HOLD_FORBIDDEN = new RegExp(`[${FORBIDDEN_CLASS}]`);
// Whitespace to HTML and to JavaScript, yet forbidden in XML.
const FORBIDDEN_SPACE = /[\u000B\u000C]/g;

/** Drops the characters no XML document may hold. */
export function withoutForbiddenChars(value: string): string {
  return MAY_HOLD_FORBIDDEN.test(value) ? value.replace(NOT_XML_CHAR, '') : value;
}

/**
 * withoutForbiddenChars for text whose words must stay apart: a vertical tab or a form feed
 * becomes a space rather than nothing, so "NATO\fsummit" still reads as two words to topics.
 */
export function withForbiddenSpacesKept(value: string): string {
  return withoutForbiddenChars(value.replace(FORBIDDEN_SPACE, ' '));
}
