// Every public vector (copied from shared/yuma/public into ./vectors, since CI clones only the
// repo) must match its expected output within FORMAT.md §6's tolerance.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from './cli';
import { parseScenario, runScenario, type ScenarioOutput } from './scenario';

const VECTORS = path.join(__dirname, 'vectors');
const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith('.json'));

interface Deviation {
  u16: number;
  bonds: number;
  emission: bigint;
  problems: string[];
}

/** Compare per §6: exact structure, ±1 on u16 fields and bonds, ±max(4, ceil(4E/1e9)) rao on emission. */
function compare(got: ScenarioOutput, expected: ScenarioOutput['epochs'], emissions: bigint[]): Deviation {
  const dev: Deviation = { u16: 0, bonds: 0, emission: 0n, problems: [] };
  if (got.epochs.length !== expected.length) dev.problems.push(`epochs: ${got.epochs.length} vs ${expected.length}`);
  expected.forEach((want, k) => {
    const g = got.epochs[k];
    if (!g) return;
    if (g.block !== want.block) dev.problems.push(`epoch ${k} block`);
    if (g.neurons.length !== want.neurons.length) dev.problems.push(`epoch ${k} uid count`);
    const e = emissions[k];
    const tol = (() => {
      const t = (4n * e + 999_999_999n) / 1_000_000_000n;
      return t > 4n ? t : 4n;
    })();
    want.neurons.forEach((wn, i) => {
      const gn = g.neurons[i];
      const at = `epoch ${k} uid ${i}`;
      if (!gn || gn.uid !== wn.uid) {
        dev.problems.push(`${at}: missing`);
        return;
      }
      for (const f of ['active', 'validatorPermit'] as const) if (gn[f] !== wn[f]) dev.problems.push(`${at} ${f}`);
      for (const f of ['stakeWeight', 'consensus', 'incentive', 'dividends', 'validatorTrust', 'rank', 'trust'] as const) {
        const d = Math.abs(gn[f] - wn[f]);
        dev.u16 = Math.max(dev.u16, d);
        if (d > 1) dev.problems.push(`${at} ${f}: ${gn[f]} vs ${wn[f]}`);
      }
      if (gn.bonds.length !== wn.bonds.length) dev.problems.push(`${at} bonds length`);
      wn.bonds.forEach((b, j) => {
        const d = Math.abs(gn.bonds[j] - b);
        dev.bonds = Math.max(dev.bonds, d);
        if (d > 1) dev.problems.push(`${at} bonds[${j}]: ${gn.bonds[j]} vs ${b}`);
      });
      let d = BigInt(gn.emission) - BigInt(wn.emission);
      if (d < 0n) d = -d;
      if (d > dev.emission) dev.emission = d;
      if (d > tol) dev.problems.push(`${at} emission: ${gn.emission} vs ${wn.emission}`);
    });
  });
  return dev;
}

describe('public Yuma vectors', () => {
  it('are present', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s matches within tolerance', (file) => {
    const vector = JSON.parse(fs.readFileSync(path.join(VECTORS, file), 'utf8'));
    const scenario = parseScenario(vector.scenario);
    const emissions = scenario.steps.flatMap((s) => (s.type === 'epoch' ? [s.emission] : []));
    const dev = compare(runScenario(scenario), vector.expected, emissions);
    expect(dev.problems).toEqual([]);
    // The implementation is bit-exact on all public vectors; keep it so.
    expect([dev.u16, dev.bonds, dev.emission]).toEqual([0, 0, 0n]);
  });
});

describe('cli', () => {
  let out: string[];
  let err: string[];
  let tmp: string;
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yuma-cli-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints exactly one JSON object for a scenario', () => {
    const vector = JSON.parse(fs.readFileSync(path.join(VECTORS, 'zero_weights.json'), 'utf8'));
    const file = path.join(tmp, 's.json');
    fs.writeFileSync(file, JSON.stringify(vector.scenario));
    expect(main(['node', 'cli', file])).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const parsed = JSON.parse(out[0]);
    expect(parsed.epochs.map((e: { block: number }) => e.block)).toEqual([1, 1, 3, 5004]);
  });

  it.each([
    ['a missing file', null],
    ['bad JSON', '{"hyperparameters":'],
    ['a bad scenario', '{"hyperparameters":{},"neurons":[],"steps":[]}'],
    ['uids that are not 0..n-1', null],
  ])('exits 2 on %s', (what, content) => {
    const file = path.join(tmp, 'bad.json');
    if (what === 'uids that are not 0..n-1') {
      const vector = JSON.parse(fs.readFileSync(path.join(VECTORS, 'zero_weights.json'), 'utf8'));
      vector.scenario.neurons[1].uid = 5;
      fs.writeFileSync(file, JSON.stringify(vector.scenario));
    } else if (content !== null) fs.writeFileSync(file, content);
    expect(main(['node', 'cli', file])).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/yuma: /);
  });
});
