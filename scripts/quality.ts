import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatQualityReport, labelledSetSchema, measureQuality } from '../src/topics/quality.js';

// Prints precision and recall of every topic in the labelled set; exits 1 when a topic falls
// below the bar the test suite holds it to. Usage: node dist/scripts/quality.js [labelled.json]

const MINIMUM = 0.98;

const path = resolve(process.argv[2] ?? 'test/fixtures/topics-labelled.json');
const parsed = labelledSetSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
if (!parsed.success) {
  console.error(`${path}: not a labelled set: ${parsed.error.message}`);
  process.exit(2);
}
const report = measureQuality(parsed.data);
console.log(formatQualityReport(report));
const below = report.topics.filter((t) => t.precision < MINIMUM || t.recall < MINIMUM);
if (below.length > 0 || report.rejected.length > 0) {
  console.error(`below ${MINIMUM}: ${below.map((t) => t.slug).join(', ') || 'none'}; rejected queries: ${report.rejected.length}`);
  process.exit(1);
}
