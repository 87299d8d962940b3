import { httpUrl } from './normalize.js';

/**
 * The WebSub hub and self links of an HTTP Link header (RFC 8288), resolved against the response's
 * URL; the first of each. WebSub has subscribers look for them here before the document: a
 * publisher may announce its hub in the header alone.
 */
export function websubLinksOfHeader(header: string | null, base: string): { hubUrl: string | null; selfUrl: string | null } {
  let hubUrl: string | null = null;
  let selfUrl: string | null = null;
  for (const { target, rels } of linkValues(header ?? '')) {
    const url = httpUrl(target, base);
    if (url === null) continue;
    if (hubUrl === null && rels.includes('hub')) hubUrl = url;
    if (selfUrl === null && rels.includes('self')) selfUrl = url;
  }
  return { hubUrl, selfUrl };
}

/** Each link-value's target and relation types (lowercased); a value without rel has none. */
function* linkValues(header: string): Generator<{ target: string; rels: string[] }> {
  let at = 0;
  for (;;) {
    const open = header.indexOf('<', at);
    if (open === -1) return;
    const close = header.indexOf('>', open + 1);
    if (close === -1) return;
    const target = header.slice(open + 1, close).trim();
    // The parameters run to the next comma outside a quoted string.
    let end = close + 1;
    let quoted = false;
    for (; end < header.length; end++) {
      const char = header[end];
      if (char === '\\' && quoted) end++;
      else if (char === '"') quoted = !quoted;
      else if (char === ',' && !quoted) break;
    }
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(header.slice(close + 1, end));
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter((type) => type !== '');
    yield { target, rels };
    at = end + 1;
  }
}
