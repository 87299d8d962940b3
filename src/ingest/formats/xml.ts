import { decodeHTMLStrict, escapeText } from 'entities';
import { Parser } from 'htmlparser2';
import { SkippingTokenizer } from '../../html/tokenizer.js';

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
  /**
   * Direct text content, entities decoded, CDATA included verbatim: read it with textOf. Text with
   * entity references is decoded when first read, so an entry passed over unread costs no decoding.
   */
  text: string | null;
  /** Until then, the text as the tokenizer gave it, and which of its pieces hold references. */
  textParts: string[];
  decodeAt: number[] | null;
  /** Where the raw markup between the tags lies in `source` (read it with innerMarkup). */
  innerStart: number;
  innerEnd: number;
  source: XmlSource;
  /** Effective xml:base: the document URL refined by every xml:base on the way down. */
  base: string;
  /** Effective xml:lang, or null. */
  lang: string | null;
  /** Prefix → namespace URI in effect at the element ('' for the default namespace). */
  namespaces: ReadonlyMap<string, string>;
}

/**
 * `entityDeclarations`: the DOCTYPE's internal subset as written ('' without one), whose entities
 * the text was decoded with.
 */
export type XmlResult = { ok: true; root: XmlElement; entityDeclarations: string } | { ok: false; message: string };

/** The document's text in the pieces it was parsed in; offsets count from the start of the first. */
export interface XmlSource extends SourcePieces {
  /** Decodes the references in a piece of its text, with the DOCTYPE's entities. */
  decode: (value: string) => string;
}

interface SourcePieces {
  chunks: readonly string[];
  /** Offset of each piece's first character. */
  starts: readonly number[];
}

function sourceOf(chunks: readonly string[]): SourcePieces {
  const starts: number[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    starts.push(offset);
    offset += chunk.length;
  }
  return { chunks, starts };
}

/** The text from offset `start` to `end`, across pieces. */
function sliceSource(source: SourcePieces, start: number, end: number): string {
  let index = 0;
  while (index + 1 < source.chunks.length && (source.starts[index + 1] as number) <= start) index++;
  let text = '';
  for (; index < source.chunks.length && (source.starts[index] as number) < end; index++) {
    const from = source.starts[index] as number;
    text += (source.chunks[index] as string).slice(Math.max(0, start - from), end - from);
  }
  return text;
}

const NAMESPACE_PREFIXES: ReadonlyMap<string, string> = new Map(Object.entries({
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
}));

// Every element's name is resolved through its namespace, and a feed names a few namespaces
// thousands of times: each URI's prefix is kept as written, not normalized again per element
// (~2% of parsing the corpus's real-world feeds). Bounded, for documents that declare many.
const MAX_KNOWN_NAMESPACES = 1000;
const knownNamespaces = new Map<string, string | null>();

function prefixForNamespace(uri: string): string | undefined {
  let prefix = knownNamespaces.get(uri);
  if (prefix === undefined) {
    if (knownNamespaces.size >= MAX_KNOWN_NAMESPACES) knownNamespaces.clear();
    prefix = NAMESPACE_PREFIXES.get(uri.trim().toLowerCase().replace(/[/#]+$/, '')) ?? null;
    knownNamespaces.set(uri, prefix);
  }
  return prefix ?? undefined;
}

const INVALID_XML_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const INVALID_XML_CHARACTERS_GLOBAL = new RegExp(INVALID_XML_CHARACTERS.source, 'g');
const withoutInvalidCharacters = (chunk: string): string =>
  INVALID_XML_CHARACTERS.test(chunk) ? chunk.replace(INVALID_XML_CHARACTERS_GLOBAL, '') : chunk;

const NO_NAMESPACES: ReadonlyMap<string, string> = new Map();

// No feed nests this deep, even with unclosed inline tags; the tokenizer's element stack
// gets quadratically slower beyond it, so deeper documents are refused.
const MAX_DEPTH = 10_000;

interface OpenElement {
  element: XmlElement;
  start: number;
  textParts: string[];
  /** Which of textParts hold references to decode; null while none does. */
  decodeAt: number[] | null;
}

/**
 * Tokenizes a feed document into an element tree. htmlparser2 in XML mode never expands
 * DTD entities (no billion laughs, no XXE) and keeps going over stray "&", mismatched case
 * and unclosed inline tags; what it cannot forgive is a document that ends inside an
 * element below the root, which is how truncated downloads look. The document comes in pieces
 * (decodeBodyChunks), each written to the parser in turn, so no string holds all of it.
 */
export function parseXml(document: readonly string[], documentUrl: string, options: { mayHoldForbidden: boolean } = { mayHoldForbidden: true }): XmlResult {
  // Control characters are not allowed in XML and never meant as text; drop them up front. A
  // document whose bytes showed none (decodeBodyChunks) is not searched for them again.
  const pieces = sourceOf(options.mayHoldForbidden ? document.map(withoutInvalidCharacters) : document);
  const entityDeclarations = internalSubset(pieces);
  const decode = entityDecoder(entityDeclarations);
  const source: XmlSource = { chunks: pieces.chunks, starts: pieces.starts, decode };
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let inCdata = false;
  let ending = false;
  let truncatedAt: OpenElement | null = null;
  let tooDeepAt: number | null = null;

  const parser: Parser = new Parser(
    {
      onopentag(rawName, rawAttrs) {
        if (stack.length >= MAX_DEPTH) {
          tooDeepAt ??= parser.startIndex;
          parser.pause();
          return;
        }
        const parent = stack[stack.length - 1];
        const open = openElement(rawAttrs, parent, { source, documentUrl, parser });
        stack.push(open);
        open.element.name = resolveName(open.element.namespaces, rawName);
        if (parent) parent.element.children.push(open.element);
        else root ??= open.element;
      },
      onclosetag(_name, isImplied) {
        const open = stack.pop();
        if (!open) return;
        if (ending && isImplied) truncatedAt ??= open;
        const element = open.element;
        if (open.decodeAt === null) element.text = joined(open.textParts);
        else {
          element.textParts = open.textParts;
          element.decodeAt = open.decodeAt;
        }
        element.innerEnd = Math.max(element.innerStart, isImplied ? parser.endIndex : parser.startIndex);
        const parent = stack[stack.length - 1];
        if (parent && element.children.length > 0 && NEVER_CONTAINERS.has(element.name)) adoptChildren(parent.element, element);
      },
      ontext(data) {
        const open = stack[stack.length - 1];
        if (!open) return;
        if (!inCdata && data.indexOf('&') !== -1) (open.decodeAt ??= []).push(open.textParts.length);
        open.textParts.push(data);
      },
      oncdatastart() {
        inCdata = true;
      },
      oncdataend() {
        inCdata = false;
      },
    },
    {
      xmlMode: true, decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true,
      Tokenizer: SkippingTokenizer,
    },
  );
  for (const chunk of source.chunks) {
    parser.write(chunk);
    if (tooDeepAt !== null) {
      return { ok: false, message: `elements nested deeper than ${MAX_DEPTH} levels at line ${lineOf(source, tooDeepAt)}` };
    }
  }
  ending = true;
  parser.end();

  const unclosed = truncatedAt as OpenElement | null;
  // When only the root is left open ("</rss>" missing or cut to "</rss"), every item is
  // complete and nothing is lost.
  if (unclosed && unclosed.element !== root) {
    return { ok: false, message: `document ends inside <${unclosed.element.name}> opened at line ${lineOf(source, unclosed.start)}` };
  }
  if (!root) return { ok: false, message: 'no XML element found' };
  return { ok: true, root, entityDeclarations };
}

// Elements that never hold elements. Written without "/>" (<link href="…">, as in HTML),
// they would swallow every sibling after them until the parent closes; those siblings go
// back to the parent.
const NEVER_CONTAINERS = new Set(['link', 'atom:link', 'enclosure', 'media:thumbnail', 'atom:category']);

function adoptChildren(parent: XmlElement, element: XmlElement): void {
  for (const orphan of element.children) parent.children.push(orphan);
  element.children = [];
}

interface DocumentContext {
  source: XmlSource;
  documentUrl: string;
  parser: Parser;
}

function openElement(rawAttrs: Record<string, string>, parent: OpenElement | undefined, context: DocumentContext): OpenElement {
  // The scope is shared with the parent until the element declares a namespace of its own,
  // so lookups stay constant-time however deep the document nests.
  const inherited = parent?.element.namespaces ?? NO_NAMESPACES;
  let declared: Map<string, string> | null = null;
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttrs)) {
    const decoded = value.indexOf('&') === -1 ? value : context.source.decode(value);
    attrs[name] = decoded;
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      declared ??= new Map(inherited);
      declared.set(name === 'xmlns' ? '' : name.slice(6), decoded);
    }
  }
  const contentStart = context.parser.endIndex + 1;
  const lang = attrs['xml:lang'];
  return {
    element: {
      name: '',
      attrs,
      children: [],
      text: null,
      textParts: NO_PARTS,
      decodeAt: null,
      innerStart: contentStart,
      innerEnd: contentStart,
      source: context.source,
      base: resolveBase(attrs['xml:base'], parent?.element.base ?? context.documentUrl),
      // xml:lang="" explicitly says the language is unknown (XML 1.0 §2.12).
      lang: lang === undefined ? (parent?.element.lang ?? null) : lang.trim() || null,
      namespaces: declared ?? inherited,
    },
    start: context.parser.startIndex,
    textParts: [],
    decodeAt: null,
  };
}

function resolveName(scope: ReadonlyMap<string, string>, raw: string): string {
  const colon = raw.indexOf(':');
  const prefix = colon === -1 ? '' : raw.slice(0, colon);
  const local = colon === -1 ? raw : raw.slice(colon + 1);
  const uri = scope.get(prefix);
  const canonical = uri === undefined ? prefix : (prefixForNamespace(uri) ?? prefix);
  return canonical ? `${canonical}:${local}` : local;
}

/** How many characters internal DTD entities may add to a document, in total. */
const ENTITY_EXPANSION_BUDGET = 1_000_000;

/** How far into the document a DOCTYPE is looked for, and how long its internal subset may be. */
const DOCTYPE_WINDOW = 64 * 1024;

/** The internal subset of the document's DOCTYPE, as written; '' when there is none. */
function internalSubset(source: SourcePieces): string {
  const doctypeText = textFromDoctype(source);
  const doctype = doctypeText === null ? null : /^<!DOCTYPE[^[>]*\[([\s\S]*?)\]\s*>/i.exec(doctypeText);
  return doctype?.[1] ?? '';
}

/**
 * Decodes character references and HTML named entities (RSS 0.91 DOCTYPEs promise &eacute;
 * and friends), plus internal DTD entities whose value is a plain literal: with no
 * references inside there is no exponential bomb, a budget caps the linear kind, and
 * external (SYSTEM) entities are never read.
 */
function entityDecoder(subset: string): (value: string) => string {
  const entities = new Map<string, string>();
  for (const match of subset.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"&%<]*)"|'([^'&%<]*)')\s*>/g)) {
    entities.set(match[1] as string, match[2] ?? match[3] ?? '');
  }
  if (entities.size === 0) return decodeHTMLStrict;
  let budget = ENTITY_EXPANSION_BUDGET;
  const expand = (reference: string, name: string): string => {
    const value = entities.get(name);
    if (value === undefined || value.length > budget) return reference;
    budget -= value.length;
    return value;
  };
  return (value) => decodeHTMLStrict(value.replace(/&([A-Za-z_][\w.-]*);/g, expand));
}

/**
 * The text from the DOCTYPE within DOCTYPE_WINDOW of the start, if any, DOCTYPE_WINDOW long. Every
 * piece starts at a "<", so "<!DOCTYPE" lies within one piece.
 */
function textFromDoctype(source: SourcePieces): string | null {
  for (let index = 0; index < source.chunks.length && (source.starts[index] as number) < DOCTYPE_WINDOW; index++) {
    const at = (source.chunks[index] as string).search(/<!DOCTYPE/i);
    if (at === -1) continue;
    const start = (source.starts[index] as number) + at;
    return start < DOCTYPE_WINDOW ? sliceSource(source, start, start + DOCTYPE_WINDOW) : null;
  }
  return null;
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

function lineOf(source: XmlSource, offset: number): number {
  const text = source.chunks.join('');
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

/**
 * Elements with one of the names anywhere below `element`, in document order, without
 * looking inside a match. An unclosed element (<itunes:category …> without "/>") swallows
 * the items that follow it; they are still the feed's items.
 */
export function descendantsNamed(element: XmlElement, ...names: string[]): XmlElement[] {
  const found: XmlElement[] = [];
  const pending = [...element.children].reverse();
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (names.includes(next.name)) found.push(next);
    else for (let index = next.children.length - 1; index >= 0; index--) pending.push(next.children[index] as XmlElement);
  }
  return found;
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
  return textOf(element).trim() || null;
}

/** The raw markup between the element's tags, with CDATA sections turned into escaped text. */
export function innerMarkup(element: XmlElement): string {
  return cdataToText(sliceSource(element.source, element.innerStart, element.innerEnd));
}

const NO_PARTS: string[] = [];

const joined = (parts: readonly string[]): string => (parts.length === 1 ? (parts[0] as string) : parts.join(''));

/** The element's direct text, entities decoded, CDATA included verbatim (see XmlElement.text). */
export function textOf(element: XmlElement): string {
  if (element.text !== null) return element.text;
  const parts = element.textParts;
  for (const at of element.decodeAt ?? []) parts[at] = element.source.decode(parts[at] as string);
  element.text = joined(parts);
  element.textParts = NO_PARTS;
  element.decodeAt = null;
  return element.text;
}

/** The markup between the element's tags exactly as the document has it, CDATA sections included. */
export function rawInnerMarkup(element: XmlElement): string {
  return sliceSource(element.source, element.innerStart, element.innerEnd);
}
