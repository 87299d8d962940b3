import { createHash } from 'node:crypto';
import type { IdentityScheme } from '../model.js';

// Query parameters that only say how a reader arrived (campaign, click and mailing-list
// tags); the same article reached through two newsletters is still one article.
const TRACKING_EXACT = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'msclkid', 'yclid', 'igshid', 'twclid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id', 'vero_id', 'vero_conv',
  '__s', 'rb_clickid', 'wt.mc_id', 'wt.mc_ev', 'wt_mc', 'wt_zmc', 'ncid', 'cmpid', 'at_medium', 'at_campaign', 'guce_referrer',
  'guce_referrer_sig', '_openstat', 'ref_src', 'ref_url',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'piwik_'];

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_EXACT.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The URL without tracking parameters; anything that is not an absolute URL comes back as given. */
export function stripTrackingParams(url: string): string {
  if (url.indexOf('?') === -1) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const names = [...parsed.searchParams.keys()];
  if (!names.some(isTrackingParam)) return url;
  for (const name of names) if (isTrackingParam(name)) parsed.searchParams.delete(name);
  return parsed.href.replace(/\?(?=#|$)/, '');
}

type IdentitySource = { guid: string | null; url: string | null; title: string; publishedAt: string | null };

/** Per-feed identity under its scheme (IdentityScheme in model.ts). */
export function itemIdentity(entry: IdentitySource, scheme: IdentityScheme = 0): string {
  if (entry.guid && scheme === 0) return entry.guid;
  if (entry.url && scheme !== 2) return entry.url;
  const titleAndDate = `${entry.title}\n${entry.publishedAt ?? ''}`;
  return sha256Identity(entry.url ? `${entry.url}\n${titleAndDate}` : titleAndDate);
}

function sha256Identity(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * An entry of a document as identitySchemeOf sees it: read, or recognized by its markup as the
 * stored entry `identity`, and read only when another entry claims that identity.
 */
export type EntryForIdentity =
  | { draft: IdentitySource & { identity: string } }
  | { draft: null; identity: string; readAgain: () => IdentitySource };

/**
 * The least scheme, from `stored` on, under which a document's entries that differ have
 * identities of their own. Feeds exist that give every entry the guid "N/A", or the site's
 * address, or that link every entry to their home page: by guid alone, their entries after the
 * first were taken for repeats and never stored. Two entries with one identity differ when their
 * links, titles or dates do (a weblog's untitled posts share their day's page as link and guid);
 * a feed that lists an entry twice (a pinned copy, say) repeats all three. Entries recognized by
 * their markup keep the identities they were stored under.
 */
export function identitySchemeOf(entries: readonly EntryForIdentity[], stored: IdentityScheme): IdentityScheme {
  let scheme = stored;
  while (scheme < 2 && hasCollision(entries, scheme)) scheme = (scheme + 1) as IdentityScheme;
  return scheme;
}

function hasCollision(entries: readonly EntryForIdentity[], scheme: IdentityScheme): boolean {
  const firstWith = new Map<string, EntryForIdentity>();
  for (const entry of entries) {
    const { draft } = entry;
    const identity = draft === null ? entry.identity : scheme === 0 ? draft.identity : itemIdentity(draft, scheme);
    const first = firstWith.get(identity);
    if (first === undefined) {
      firstWith.set(identity, entry);
      continue;
    }
    // Recognized both: stored as one entry.
    if (first.draft === null && draft === null) continue;
    const a = sourceOf(first);
    const b = sourceOf(entry);
    if (a.url !== b.url || a.title !== b.title || a.publishedAt !== b.publishedAt) return true;
  }
  return false;
}

function sourceOf(entry: EntryForIdentity): IdentitySource {
  return entry.draft ?? entry.readAgain();
}
