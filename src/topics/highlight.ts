import { tokenize, type Token } from './text.js';

// Marks the matched words of a plain text for display. `terms` are the words matchQuery
// returned: surface forms as they appear in the item, a phrase as its words joined by spaces.
// They are compared as written (after NFKC), so `=US` highlights "US" and never "us".

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);

/** Ranges [start, end) of the text covered by a run of tokens equal to one of the terms. */
function matchedRanges(tokens: Token[], terms: string[]): [number, number][] {
  const sequences = terms.map((term) => tokenize(term).map((t) => t.surface)).filter((s) => s.length > 0);
  const ranges: [number, number][] = [];
  for (let i = 0; i < tokens.length; i++) {
    let longest = 0;
    for (const seq of sequences) {
      if (seq.length > longest && seq.every((surface, k) => tokens[i + k]?.surface === surface)) longest = seq.length;
    }
    if (longest > 0) {
      ranges.push([(tokens[i] as Token).start, (tokens[i + longest - 1] as Token).end]);
      i += longest - 1;
    }
  }
  return ranges;
}

/** HTML-escaped text with each matched word or phrase wrapped in <mark>…</mark>. */
export function highlight(text: string, terms: string[]): string {
  const ranges = terms.length === 0 ? [] : matchedRanges(tokenize(text), terms);
  let html = '';
  let at = 0;
  for (const [start, end] of ranges) {
    html += escapeHtml(text.slice(at, start)) + '<mark>' + escapeHtml(text.slice(start, end)) + '</mark>';
    at = end;
  }
  return html + escapeHtml(text.slice(at));
}
