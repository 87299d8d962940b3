// A feed's URL may carry its password (https://user:secret@host/feed, sent as Basic auth). It is
// stored as given, for fetching, and shown without: in feeds republished to anyone, the API, the
// logs, messages.

/** The URL without the user name and password it carries; one without either, and text that is no URL, as given. */
export function redactUrl(url: URL | string): string {
  // Credentials need an '@': most URLs are passed back without being parsed (feed pages show one an entry).
  if (typeof url === 'string' && !url.includes('@')) return url;
  let safe: URL;
  try {
    safe = new URL(url);
  } catch {
    return String(url);
  }
  if (safe.username === '' && safe.password === '') return typeof url === 'string' ? url : url.href;
  safe.username = '';
  safe.password = '';
  return safe.href;
}
