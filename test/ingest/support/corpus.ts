import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared third-party corpus, which CI checks out as ../shared beside the repository. */
export const CORPUS_DIR = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));

/** The base URL both parsers get for a corpus file, so relative links resolve alike. */
export const CORPUS_BASE_URL = 'http://corpus.example/';

export interface ManifestRow {
  file: string;
  kind: string;
  format: string;
  malformed: boolean;
  /** feedparser's entry count as recorded when the corpus was assembled; null when blank. */
  items: number | null;
  compression: string;
}

export function readManifest(): Map<string, ManifestRow> {
  const [header, ...lines] = readFileSync(join(CORPUS_DIR, 'manifest.tsv'), 'utf8').split('\n');
  const columns = (header ?? '').split('\t');
  const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  const rows = new Map<string, ManifestRow>();
  for (const line of lines) {
    if (!line.trim()) continue;
    const cells = line.split('\t');
    const items = at(cells, 'items');
    rows.set(at(cells, 'file'), {
      file: at(cells, 'file'),
      kind: at(cells, 'kind'),
      format: at(cells, 'format'),
      malformed: at(cells, 'malformed') === 'True',
      items: items === '' ? null : Number(items),
      compression: at(cells, 'compression'),
    });
  }
  return rows;
}

/** Real-world captures, whole or trimmed, that the manifest does not mark malformed. */
export function isWellFormedRealWorld(row: ManifestRow): boolean {
  return (row.kind === 'real-world' || row.kind === 'real-world-trimmed') && !row.malformed;
}

/** Every real-world kind (whole, trimmed, oddities) that the manifest does not mark malformed. */
export function isWellFormedRealWorldKind(row: ManifestRow): boolean {
  return row.kind.startsWith('real-world') && !row.malformed;
}

/**
 * Every corpus file that is meant as parser input, relative to CORPUS_DIR. Left out:
 * licence texts (LICENSES/, LICENSE), provenance (SOURCE), README.md and manifest.tsv, and
 * gofeed's expected outputs: gofeed keeps NAME.json (what gofeed parsed) beside the input
 * NAME.xml, or names it NAME_expected.json beside the input NAME.json.
 */
export function corpusInputFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(CORPUS_DIR, path));
    }
  };
  walk(CORPUS_DIR);
  return files.filter((file) => !isDocumentation(file) && !isGofeedExpectedOutput(file)).sort();
}

function isDocumentation(file: string): boolean {
  const name = basename(file);
  return file.startsWith('LICENSES/') || ['LICENSE', 'SOURCE', 'README.md', 'manifest.tsv'].includes(name);
}

function isGofeedExpectedOutput(file: string): boolean {
  if (!file.startsWith('gofeed/') || extname(file) !== '.json') return false;
  if (file.endsWith('_expected.json')) return true;
  const stem = join(CORPUS_DIR, dirname(file), basename(file, '.json'));
  return existsSync(`${stem}.xml`);
}
