import { decodeHTMLStrict, escapeText } from 'entities';
import { Parser } from 'htmlparser2';

/**
 * One element of a feed document. Names are namespace-resolved to a fixed prefix per known
 * namespace ("dc:creator" whatever the document called it), lowercased, so parsers match
 * on one spelling; feed-core vocabularies (RSS, RSS 1.0) have no prefix, Atom has "atom".
 */
export interface XmlElement {
  name: string;
  /** Attribute values with entities decoded; names lowercased as written ("rdf:about"). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text content, entities decoded, CDATA included verbatim. */
  text: string;
  /** Where the raw markup between the tags lies in `source` (read it with innerMarkup). */
  innerStart: number;
  innerEnd: number;
  source: string;
  /** Effective xml:base: the document URL refined by every xml:base on the way down. */
  base: string;
  /** Effective xml:lang, or null. */
  lang: string | null;
}

export type XmlResult = { ok: true; root: XmlElement } | { ok: false; message: string };

const NAMESPACE_PREFIXES: Record<string, string> = {
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns': 'atom',
  'http://purl.org/rss/1.0': '',
  'http://my.netscape.com/rdf/simple/0.9': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns': 'rdf',
  'http://purl.org/dc/elements/1.1': 'dc',
  'http://purl.org/dc/terms': 'dcterms',
  'http://purl.org/rss/1.0/modules/content': 'content',
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/rss/1.0/modules/syndication': 'sy',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://www.w3.org/xml/1998/namespace': 'xml',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://wellformedweb.org/commentapi': 'wfw',
};

function prefixForNamespace(uri: string): string | undefined {
  return NAMESPACE_PREFIXES[uri.trim().toLowerCase().replace(/[/#]+$/, '')];
}

const INVALID_XML_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const INVALID_XML_CHARACTERS_GLOBAL = new RegExp(INVALID_XML_CHARACTERS.source, 'g');

interface OpenElement {
  element: XmlElement;
  namespaces: Map<string, string> | null;
  start: number;
  textParts: string[];
}

/**
 * Tokenizes a feed document into an element tree. htmlparser2 in XML mode never expands
 * DTD entities (no billion laughs, no XXE) and keeps going over stray "&", mismatched case
 * and unclosed inline tags; what it cannot forgive is a document that ends inside an
 * element, which is how truncated downloads look.
 */
export function parseXml(document: string, documentUrl: string): XmlResult {
  // Control characters are not allowed in XML and never meant as text; drop them up front.
  const text = INVALID_XML_CHARACTERS.test(document) ? document.replace(INVALID_XML_CHARACTERS_GLOBAL, '') : document;
  const decode = entityDecoder(text);
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let inCdata = false;
  let ending = false;
  let truncatedAt: OpenElement | null = null;

  const resolveName = (raw: string): string => {
    const colon = raw.indexOf(':');
    const prefix = colon === -1 ? '' : raw.slice(0, colon);
    const local = colon === -1 ? raw : raw.slice(colon + 1);
    const uri = lookupNamespace(stack, prefix);
    const canonical = uri === undefined ? prefix : (prefixForNamespace(uri) ?? prefix);
    return canonical ? `${canonical}:${local}` : local;
  };

  const parser = new Parser(
    {
      onopentag(rawName, rawAttrs) {
        const parent = stack[stack.length - 1];
        let namespaces: Map<string, string> | null = null;
        const attrs: Record<string, string> = {};
        for (const [name, value] of Object.entries(rawAttrs)) {
          const decoded = value.indexOf('&') === -1 ? value : decode(value);
          attrs[name] = decoded;
          if (name === 'xmlns' || name.startsWith('xmlns:')) {
            namespaces ??= new Map();
            namespaces.set(name === 'xmlns' ? '' : name.slice(6), decoded);
          }
        }
        const open: OpenElement = {
          element: {
            name: '',
            attrs,
            children: [],
            text: '',
            innerStart: parser.endIndex + 1,
            innerEnd: parser.endIndex + 1,
            source: text,
            base: resolveBase(attrs['xml:base'], parent?.element.base ?? documentUrl),
            lang: attrs['xml:lang'] ?? parent?.element.lang ?? null,
          },
          namespaces,
          start: parser.startIndex,
          textParts: [],
        };
        stack.push(open);
        open.element.name = resolveName(rawName);
        if (parent) parent.element.children.push(open.element);
        else root ??= open.element;
      },
      onclosetag(_name, isImplied) {
        const open = stack.pop();
        if (!open) return;
        if (ending && isImplied) truncatedAt ??= open;
        const element = open.element;
        element.text = open.textParts.length === 1 ? (open.textParts[0] as string) : open.textParts.join('');
        element.innerEnd = Math.max(element.innerStart, isImplied ? parser.endIndex : parser.startIndex);
      },
      ontext(data) {
        const open = stack[stack.length - 1];
        if (!open) return;
        open.textParts.push(inCdata || data.indexOf('&') === -1 ? data : decode(data));
      },
      oncdatastart() {
        inCdata = true;
      },
      oncdataend() {
        inCdata = false;
      },
    },
    { xmlMode: true, decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(text);
  ending = true;
  parser.end();

  // Only the root's final ">" missing ("…</rss" at the end of the file) loses nothing.
  if (truncatedAt && !((truncatedAt as OpenElement).element === root && /<\/[^<>\s]*\s*$/.test(text))) {
    const open = truncatedAt as OpenElement;
    return {
      ok: false,
      message: `document ends inside <${open.element.name}> opened at line ${lineOf(text, open.start)}`,
    };
  }
  if (!root) return { ok: false, message: 'no XML element found' };
  return { ok: true, root };
}

/**
 * Decodes character references and HTML named entities (RSS 0.91 DOCTYPEs promise &eacute;
 * and friends), plus internal DTD entities whose value is a plain literal: with no
 * references inside there is no expansion bomb, and external (SYSTEM) entities are never read.
 */
function entityDecoder(text: string): (value: string) => string {
  const doctype = /<!DOCTYPE[^[>]*\[([\s\S]*?)\]\s*>/i.exec(text.slice(0, 64 * 1024));
  const entities = new Map<string, string>();
  for (const match of doctype?.[1]?.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"&%<]*)"|'([^'&%<]*)')\s*>/g) ?? []) {
    entities.set(match[1] as string, match[2] ?? match[3] ?? '');
  }
  if (entities.size === 0) return decodeHTMLStrict;
  return (value) => decodeHTMLStrict(value.replace(/&([A-Za-z_][\w.-]*);/g, (reference, name: string) => entities.get(name) ?? reference));
}

function lookupNamespace(stack: OpenElement[], prefix: string): string | undefined {
  for (let index = stack.length - 1; index >= 0; index--) {
    const uri = stack[index]?.namespaces?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

function resolveBase(xmlBase: string | undefined, parentBase: string): string {
  if (xmlBase === undefined) return parentBase;
  try {
    return new URL(xmlBase.trim(), parentBase).href;
  } catch {
    return parentBase;
  }
}

// Inline markup is handed on as HTML, where a CDATA section would read as a bogus comment.
function cdataToText(markup: string): string {
  if (markup.indexOf('<![CDATA[') === -1) return markup;
  return markup.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_match, body: string) => escapeText(body));
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/** The first child with one of the given names. */
export function child(element: XmlElement, ...names: string[]): XmlElement | undefined {
  for (const candidate of element.children) if (names.includes(candidate.name)) return candidate;
  return undefined;
}

/** All children with one of the given names, in document order. */
export function childrenNamed(element: XmlElement, ...names: string[]): XmlElement[] {
  return element.children.filter((candidate) => names.includes(candidate.name));
}

/** Trimmed value of the first matching child (see valueOf), or null when absent or empty. */
export function childText(element: XmlElement, ...names: string[]): string | null {
  const found = child(element, ...names);
  return found ? valueOf(found) : null;
}

/**
 * The element's trimmed text, or, when it holds elements (HTML written inline without
 * escaping), its raw inner markup; null when empty.
 */
export function valueOf(element: XmlElement): string | null {
  if (element.children.length > 0) return innerMarkup(element).trim() || null;
  return element.text.trim() || null;
}

/** The raw markup between the element's tags, with CDATA sections turned into escaped text. */
export function innerMarkup(element: XmlElement): string {
  return cdataToText(element.source.slice(element.innerStart, element.innerEnd));
}
