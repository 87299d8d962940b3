// The HTML fragments of feedparser's sanitizer test corpus: every element that can carry HTML in
// RSS, Atom 0.3/1.0 and their extensions, as a feed parser would hand it over (escaped text
// decoded once, base64 decoded, inline XHTML serialized).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';

export const CORPUS_DIR = resolve(import.meta.dirname, '../../../shared/corpus/feedparser/wellformed/sanitize');

const HTML_CARRIERS = new Set([
  'title', 'subtitle', 'tagline', 'info', 'copyright', 'rights', 'summary', 'content', 'description',
  'content:encoded', 'body', 'xhtml:body', 'fullitem', 'xhtml:div',
]);

export interface CorpusCase {
  file: string;
  fragments: string[];
}

function fragmentOf(el: Element): string {
  const hasChildElements = el.children.some((child) => child.type === 'tag');
  if (hasChildElements) return DomUtils.getInnerHTML(el, { xmlMode: true });
  const text = DomUtils.textContent(el);
  return el.attribs.mode === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
}

function outermostCarriers(el: Element, into: Element[]): void {
  for (const child of el.children) {
    if (child.type !== 'tag') continue;
    if (HTML_CARRIERS.has(child.name)) into.push(child);
    else outermostCarriers(child, into);
  }
}

export function loadCorpus(): CorpusCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((file) => file.endsWith('.xml'))
    .sort()
    .map((file) => {
      const doc = parseDocument(readFileSync(resolve(CORPUS_DIR, file), 'utf8'), { xmlMode: true, decodeEntities: true, recognizeCDATA: true });
      const carriers: Element[] = [];
      for (const root of doc.children) if (root.type === 'tag') outermostCarriers(root, carriers);
      return { file, fragments: carriers.map(fragmentOf).filter((html) => html.trim() !== '') };
    });
}
