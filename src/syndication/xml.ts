import { escapeUTF8 } from 'entities';
import { withoutForbiddenChars } from '../html/xml-chars.js';

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return escapeUTF8(withoutForbiddenChars(value));
}

export type Attributes = Record<string, string | number | null | undefined>;

// A for-in loop and an optional argument rather than Object.entries over a default `{}`, which gave
// each of an entry's ~12 elements an object and an array of pairs: with the forbidden-character
// test (xml-chars.ts), rendering and encoding the 50 entries of a page at 1,000,000 items allocated
// 448 -> 401 KB and took 348-369 -> 300-335 µs, three alternating rounds.
function attributeList(attributes: Attributes | undefined): string {
  let out = '';
  for (const name in attributes) {
    const value = attributes[name];
    if (value === null || value === undefined) continue;
    out += ` ${name}="${escapeXml(String(value))}"`;
  }
  return out;
}

/** An element whose body is already markup (child elements); self-closing when the body is empty. */
export function element(name: string, attributes: Attributes, body = ''): string {
  const open = `<${name}${attributeList(attributes)}`;
  return body === '' ? `${open}/>` : `${open}>${body}</${name}>`;
}

/** An element holding text, escaped here. */
export function textElement(name: string, text: string, attributes?: Attributes): string {
  return `<${name}${attributeList(attributes)}>${escapeXml(text)}</${name}>`;
}

/**
 * An element holding HTML in a CDATA section, as it is: a page's articles are most of its bytes,
 * and escaping them copied each one again (a page rendered from scratch at 1,000,000 items: 1.79
 * against 2.02 ms of CPU).
 * The HTML must hold no character XML forbids, as content sanitized under the current policy and
 * entryContentHtml's output hold none. A "]]>" in it is split across two sections.
 */
export function htmlElement(name: string, html: string, attributes?: Attributes): string {
  const body = html.includes(']]>') ? html.replaceAll(']]>', ']]]]><![CDATA[>') : html;
  return `<${name}${attributeList(attributes)}><![CDATA[${body}]]></${name}>`;
}

/** Indents one element per line, so rendered feeds stay readable in a browser or a diff. */
export function lines(parts: (string | null)[], indent: string): string {
  // Concatenated, not joined: a join copies every part into a new string at each level of the
  // document (entry, then feed), and an entry holds its whole content; concatenation links the
  // parts and the body is copied once, when it is encoded.
  let out = '';
  for (const part of parts) if (part !== null && part !== '') out += `\n${indent}${part}`;
  return out;
}
