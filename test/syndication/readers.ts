// Real feed readers, run as the tests' oracles. A missing tool fails the test with the package
// to install: CI installs them, so skipping would hide a broken renderer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireTool(path: string, debianPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install the Debian package "${debianPackage}"`);
}

export interface ParsedByFeedparser {
  bozo: number;
  bozo_exception: string | null;
  version: string;
  feed: { title: string; id?: string; links: { rel: string; href: string; type?: string }[] };
  entries: {
    id: string;
    title: string;
    link?: string;
    summary?: string;
    content: { type: string; value: string }[];
    authors: { name?: string }[];
    tags: { term: string }[];
    source?: { title?: string; href?: string; links?: { rel: string; href: string }[] };
    published?: string;
    updated?: string;
  }[];
}

// Reads the document from stdin so no temp file is needed; feedparser never touches the network
// for a string input. It recognises JSON Feed only by the Content-Type header, so the header an
// HTTP response would carry is passed along.
const FEEDPARSER_SCRIPT = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read(), response_headers={'content-type': sys.argv[1]})
def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not k.endswith('_parsed') and k != 'title_detail' and k != 'summary_detail'}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
print(json.dumps({
    'bozo': int(d.bozo),
    'bozo_exception': str(d.get('bozo_exception')) if d.bozo else None,
    'version': d.version,
    'feed': plain(d.feed),
    'entries': plain(d.entries),
}))
`;

let feedparserFound = false;

/** Debian's Python with its feedparser module: the interpreter alone may be there without it. */
function requireFeedparser(): void {
  if (feedparserFound) return;
  requireTool(DEBIAN_PYTHON, 'python3-feedparser');
  if (spawnSync(DEBIAN_PYTHON, ['-c', 'import feedparser'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${DEBIAN_PYTHON} cannot import feedparser: install the Debian package "python3-feedparser"`);
  }
  feedparserFound = true;
}

export function parseWithFeedparser(document: string, contentType: string): ParsedByFeedparser {
  requireFeedparser();
  const out = execFileSync(DEBIAN_PYTHON, ['-c', FEEDPARSER_SCRIPT, contentType], { input: document, encoding: 'utf8' });
  return JSON.parse(out) as ParsedByFeedparser;
}

export interface XmllintResult {
  ok: boolean;
  messages: string;
}

/** Validates a file against a RELAX NG schema; ok is the tool's own verdict (exit status 0). */
export function validateRelaxNg(file: string, schema: string): XmllintResult {
  requireTool('/usr/bin/xmllint', 'libxml2-utils');
  const run = spawnSync('/usr/bin/xmllint', ['--noout', '--relaxng', schema, file], { encoding: 'utf8' });
  return { ok: run.status === 0, messages: run.stderr };
}

/** Well-formedness only. */
export function checkWellFormed(file: string): XmllintResult {
  requireTool('/usr/bin/xmllint', 'libxml2-utils');
  const run = spawnSync('/usr/bin/xmllint', ['--noout', file], { encoding: 'utf8' });
  return { ok: run.status === 0, messages: run.stderr };
}
