import { escapeUTF8 } from 'entities';

// Characters XML 1.0 forbids outright (C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF). One of them anywhere makes the whole document unreadable to a strict parser,
// so they are dropped rather than escaped (XML has no escape for them either).
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops the characters no XML document may hold; JSON output uses it too so all formats read alike. */
export function withoutForbiddenChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '');
}

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return escapeUTF8(withoutForbiddenChars(value));
}

export type Attributes = Record<string, string | number | null | undefined>;

function attributeList(attributes: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attributes)) {
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
export function textElement(name: string, text: string, attributes: Attributes = {}): string {
  return `<${name}${attributeList(attributes)}>${escapeXml(text)}</${name}>`;
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
