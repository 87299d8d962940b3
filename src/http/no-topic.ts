import type { AppDeps } from './deps.js';
import { type HttpProblem, notFound } from './errors.js';

/**
 * The 404 for a slug no topic has. Slugs are lowercase: where a topic has the slug in lowercase
 * (asked for as "NATO", held as "nato"), the answer names it.
 */
export async function noTopic(deps: Pick<AppDeps, 'store'>, slug: string): Promise<HttpProblem> {
  const lower = slug.toLowerCase();
  const hint = lower !== slug && (await deps.store.getTopic(lower)) ? ` (slugs are lowercase: "${lower}")` : '';
  return notFound(`no topic "${slug}"${hint}`);
}
