// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package, so that a
// benchmark run can say where our indexer's worker spends its time.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  topFunctions: { name: string; pct: number }[];
  topPackages: { name: string; pct: number }[];
}

function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node core';
  const lib = /\/lib\/([^/]+)\//.exec(url);
  return lib ? `ours: ${lib[1]}` : url;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number };
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const f = n.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    byFn.set(name, (byFn.get(name) ?? 0) + hits);
    byPkg.set(packageOf(f.url), (byPkg.get(packageOf(f.url)) ?? 0) + hits);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, h]) => ({ name, pct: (100 * h) / total }));
  return { file, totalMs: (p.endTime - p.startTime) / 1000, topFunctions: rank(byFn), topPackages: rank(byPkg) };
}
