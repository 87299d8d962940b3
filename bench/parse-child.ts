// One parser timed in a process of its own (bench/parse.ts starts it, pinned to one CPU where it
// can): the raw XML parser, the floor, or ingest's parse step. Timed in the same process, each
// ran slower after the other: the raw parser at 12,000 items/s in the runs between parse-step
// runs, 16,000-17,000 in a process that ran only it.
// argv[2] is the path of a JSON ParseChildSetup; the result is one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { Parser } from 'htmlparser2';
import { msSince } from './stats.js';

export interface ParseChildSetup {
  parser: 'raw' | 'ingest';
  documents: { path: string; url: string; contentType: string | null }[];
  /** Timed passes over every document, after one untimed pass. */
  passes: number;
}

export interface ParseChildResult {
  /** Each timed pass, in milliseconds. */
  ms: number[];
  /** Items the parse step read (0 for the raw parser, which reads none). */
  items: number;
  failures: number;
}

type Pass = () => { items: number; failures: number };

async function passFor(setup: ParseChildSetup, bodies: Buffer[]): Promise<Pass> {
  if (setup.parser === 'raw') {
    return () => {
      for (const body of bodies) new Parser({}, { xmlMode: true }).end(body.toString('utf8'));
      return { items: 0, failures: 0 };
    };
  }
  // Loaded only here: the raw parser's process holds no code of ours.
  const { parseFeed } = await import('../src/ingest/parse.js');
  return () => {
    let items = 0;
    let failures = 0;
    setup.documents.forEach((document, index) => {
      const result = parseFeed(bodies[index]!, { url: document.url, contentType: document.contentType });
      if (result.ok) items += result.feed.items.length;
      else failures++;
    });
    return { items, failures };
  };
}

const setup = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ParseChildSetup;
const bodies = setup.documents.map((document) => readFileSync(document.path));
const pass = await passFor(setup, bodies);
const { items, failures } = pass();
const ms: number[] = [];
for (let run = 0; run < setup.passes; run++) {
  const started = process.hrtime.bigint();
  pass();
  ms.push(msSince(started));
}
const result: ParseChildResult = { ms, items, failures };
process.stdout.write(`${JSON.stringify(result)}\n`);
