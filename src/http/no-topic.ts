import type { AppDeps } from './deps.js';
import { type HttpProblem, notFound } from './errors.js';

/**
 * Slugs are lowercase: a slug asked for with capitals ("NATO") names a topic when its lowercase
 * form does. That form, or null when the slug has no capitals or no topic has it.
 */
export async function lowercaseTopicSlug(deps: Pick<AppDeps, 'store'>, slug: string): Promise<string | null> {
  const lower = slug.toLowerCase();
  return lower !== slug && (await deps.store.getTopic(lower)) ? lower : null;
}

/** The 404 for a slug no topic has; it names the lowercase slug where a topic has that one. */
export async function noTopic(deps: Pick<AppDeps, 'store'>, slug: string): Promise<HttpProblem> {
  const lower = await lowercaseTopicSlug(deps, slug);
  return notFound(`no topic "${slug}"${lower === null ? '' : ` (slugs are lowercase: "${lower}")`}`);
}
