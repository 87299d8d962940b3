import { createHash } from 'node:crypto';

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

/** Per-feed identity: the guid, else the link without tracking parameters, else a hash of title and date. */
export function itemIdentity(entry: { guid: string | null; url: string | null; title: string; publishedAt: string | null }): string {
  if (entry.guid) return entry.guid;
  if (entry.url) return entry.url;
  return `sha256:${createHash('sha256').update(`${entry.title}\n${entry.publishedAt ?? ''}`).digest('hex')}`;
}
