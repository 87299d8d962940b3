import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One function's share of the sampled CPU time, idle samples left out. */
export interface ProfileEntry {
  /** "src/ingest/parse.ts:parseFeed" (path relative to the project), or the runtime's name for it. */
  where: string;
  selfPercent: number;
  totalPercent: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
}

function describe(frame: CpuProfileNode['callFrame'], root: string): string {
  if (!frame.url) return frame.functionName || '(anonymous)';
  const name = frame.functionName || `(anonymous):${frame.lineNumber + 1}`;
  const path = frame.url.startsWith('file://') ? relative(root, new URL(frame.url).pathname) : frame.url;
  // Built files map back to their source by name: dist/src/x.js ↔ src/x.ts.
  const source = path.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  return `${source}:${name}`;
}

function tally(profile: CpuProfile, root: string): ProfileEntry[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    // Percentages are of the time the process was working, not waiting on the network.
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy++;
    const name = describe(node.callFrame, root);
    self.set(name, (self.get(name) ?? 0) + 1);
    // Count each function once per sample even when it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const key = describe(frame.callFrame, root);
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + 1);
      }
    }
  }
  const samples = busy || 1;
  return [...total.entries()].map(([where, count]) => ({
    where, selfPercent: (100 * (self.get(where) ?? 0)) / samples, totalPercent: (100 * count) / samples,
  }));
}

/** Functions by their own (self) time, largest first. */
export function topSelf(profile: CpuProfile, root: string, top = 20): ProfileEntry[] {
  return tally(profile, root).sort((a, b) => b.selfPercent - a.selfPercent).slice(0, top);
}

/** The project's own functions by inclusive time: where the time goes, by caller. */
export function topInclusive(profile: CpuProfile, root: string, top = 20): ProfileEntry[] {
  return tally(profile, root)
    .filter((entry) => entry.where.startsWith('src/'))
    .sort((a, b) => b.totalPercent - a.totalPercent)
    .slice(0, top);
}

/** The share of samples in which the process was working rather than waiting. */
export function busyShare(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  return profile.samples.filter((id) => !idle.has(id)).length / Math.max(1, profile.samples.length);
}

/** The profiles in `dir`, one per thread (worker threads write their own), main thread first. */
export function readProfiles(dir: string): CpuProfile[] {
  if (!existsSync(dir)) return [];
  // Node names them CPU.<date>.<time>.<pid>.<thread>.<seq>: sorted, the main thread comes first.
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
}
