// An independent check that an HTML fragment is safe to republish. It shares nothing with the
// sanitizer (own parser pass, own rules), so a hole in the allowlist shows up as a finding here.
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';

const FORBIDDEN_ELEMENTS = new Set([
  'script', 'object', 'embed', 'applet', 'form', 'input', 'button', 'textarea', 'select', 'style', 'base',
  'meta', 'link', 'frame', 'frameset', 'svg', 'math', 'template', 'noscript', 'xml', 'import',
]);
const IFRAME_HOSTS = new Set(['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com']);
const URL_ATTRIBUTES = new Set([
  'href', 'src', 'cite', 'poster', 'action', 'formaction', 'background', 'data', 'codebase', 'longdesc',
  'usemap', 'dynsrc', 'lowsrc', 'xlink:href', 'srcset', 'manifest', 'ping', 'profile',
]);
const DANGEROUS_SCHEME = /^(javascript|vbscript|data|livescript|mocha):/;
// Declarations that can hide content or lay it over the reader's own interface.
const HIDING_STYLE = /position|display|visibility|opacity|z-index|transform|clip|overflow|expression|behavior|binding|url\(|margin\s*:\s*-|margin-[a-z]+\s*:\s*-|font-size\s*:\s*0|(width|height)\s*:\s*\d{4,}|\d{4,}(em|px|%)/;

export interface Finding {
  element: string;
  problem: string;
}

// What a browser would see as the URL scheme: entities are already decoded by the parser; it
// also ignores whitespace and control characters anywhere in the scheme ("jav&#x09;ascript:").
function schemeOf(value: string): string {
  return value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
}

function checkElement(el: Element, findings: Finding[]): void {
  const name = el.name.toLowerCase();
  if (FORBIDDEN_ELEMENTS.has(name)) findings.push({ element: name, problem: 'forbidden element' });
  if (name === 'iframe') {
    let host = '';
    try {
      host = new URL(el.attribs.src ?? '').hostname;
    } catch {
      host = '';
    }
    if (!IFRAME_HOSTS.has(host)) findings.push({ element: name, problem: `iframe from "${el.attribs.src ?? ''}"` });
  }
  for (const [attribute, value] of Object.entries(el.attribs)) {
    const attr = attribute.toLowerCase();
    if (attr.startsWith('on')) findings.push({ element: name, problem: `event handler ${attr}` });
    if (attr === 'style' && HIDING_STYLE.test(value.toLowerCase())) findings.push({ element: name, problem: `style "${value}"` });
    if (URL_ATTRIBUTES.has(attr)) {
      const urls = attr === 'srcset' ? value.split(',').map((part) => part.trim().split(/\s+/)[0] ?? '') : [value];
      for (const url of urls) if (DANGEROUS_SCHEME.test(schemeOf(url))) findings.push({ element: name, problem: `${attr}="${value}"` });
    }
  }
}

/** Every reason the fragment is unsafe; empty when it is fine. */
export function unsafeHtmlFindings(html: string): Finding[] {
  const findings: Finding[] = [];
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  for (const el of DomUtils.findAll(() => true, doc.children)) checkElement(el, findings);
  return findings;
}
