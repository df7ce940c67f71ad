// Hot reload of model versions on the real service (onnxruntime sessions in their workers): requests in
// flight finish on the version they started on, new ones get the new version, the old session is
// released once drained; a corrupt, mismatched or incompatible version is refused and the old one keeps
// serving. Every version here is a real ONNX file with its own weights, so a score tells which session
// computed it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildLogisticScores,
  createInferenceService,
  type InferenceService,
  type LogisticParameters,
  ModelFileError,
  ModelIncompatibleError,
  ModelMismatchError,
  PROVIDER_REPUTATION_PARAMETERS,
  publishModel,
  type ScoreResponse,
  silentLogger,
} from '../inference';
import { buildLogisticOnnx } from '../inference/model/build-onnx';
import { buildProviderReputationManifest } from '../inference/model/provider-reputation';

const NAME = 'provider-reputation';
const TOKEN = 'test-admin-token-0123456789';
/** v1: the committed parameters. v2, v3: other weight vectors over the same inputs. */
const PARAMS: Record<number, LogisticParameters> = {
  1: PROVIDER_REPUTATION_PARAMETERS,
  2: { ...PROVIDER_REPUTATION_PARAMETERS, weights: [-1.2, 0.4, 0.9, -0.3, 0.6, 0.1], bias: 0.3 },
  3: { ...PROVIDER_REPUTATION_PARAMETERS, weights: [0.2, -0.9, 0.1, 0.8, -0.4, 0.5], bias: -0.5 },
};
const ROWS = [
  [0.95, 5, 900, 48, 3, 9],
  [0.4, 0, 100, 8, 1, 2],
  [0.7, 2, 400, 16, 2, 6],
  [0.99, 7, 1200, 80, 3, 11],
  [0.6, 1, 250, 12, 1, 4],
  [0.85, 3, 500, 24, 2, 8],
  [0.5, 4, 700, 40, 3, 7],
];

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inference-reload-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Publishes provider-reputation@version with PARAMS[version] (or `params`) into the temp registry. */
function publish(version: number, params: LogisticParameters = PARAMS[version]!, edit?: (m: any) => void): string {
  const manifest: any = { ...buildProviderReputationManifest(), version, createdBy: 'test/inference-reload.test.ts' };
  edit?.(manifest);
  return publishModel(tmp, {
    manifest,
    onnx: buildLogisticOnnx(params, { inputName: manifest.inputTensor, outputName: manifest.output.name }),
  }).dir;
}

/** What version `version`'s weights give for `rows`, computed in TypeScript. */
const expected = (version: number, rows: number[][]) => buildLogisticScores(PARAMS[version]!, Float32Array.from(rows.flat()));

function expectScoredBy(res: ScoreResponse, version: number, rows: number[][]): void {
  expect(res.model).toEqual({ name: NAME, version });
  const want = expected(version, rows);
  for (const [i, r] of res.results.entries()) expect(Math.abs(r.score - want[i]!)).toBeLessThan(1e-5);
}

function recordingLogger() {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, logger: { info: push, warn: push, error: push } };
}

it('the test versions score differently, so a score tells which version computed it', () => {
  const [a, b, c] = [1, 2, 3].map((v) => expected(v, ROWS));
  for (let i = 0; i < ROWS.length; i++) {
    expect(Math.abs(a![i]! - b![i]!)).toBeGreaterThan(0.05);
    expect(Math.abs(b![i]! - c![i]!)).toBeGreaterThan(0.05);
  }
});

describe('reload()', () => {
  let svc: InferenceService | undefined;
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });

  it('lets requests in flight finish on the old session, serves new ones on the new, then releases the old', async () => {
    publish(1);
    const { lines, logger } = recordingLogger();
    // A long batch wait holds the first requests in v1's batcher across the whole reload; a request of
    // maxBatch rows is sent at once, so v2 answers without waiting.
    svc = await createInferenceService({ modelDir: tmp, logger, maxBatch: ROWS.length, maxWaitMs: 3000 });
    const events: string[] = [];
    const early = ROWS.slice(0, ROWS.length - 1).map((row, i) =>
      svc!.score({ rows: [row] }).then((res) => {
        events.push(`early ${i}`);
        return res;
      }),
    );

    publish(2);
    const reloaded = await svc.reload();
    expect(reloaded.models).toEqual([{ name: NAME, version: 2, previousVersion: 1, changed: true, executionProvider: 'cpu' }]);
    expect(svc.model).toEqual({ name: NAME, version: 2 });
    expect(svc.health().models.map((m) => m.version)).toEqual([2]);
    expect(svc.health().draining).toEqual([{ name: NAME, version: 1, inFlight: ROWS.length - 1 }]);

    const late = await svc.score({ rows: ROWS });
    events.push('late');
    expectScoredBy(late, 2, ROWS);

    const earlyResults = await Promise.all(early);
    for (const [i, res] of earlyResults.entries()) expectScoredBy(res, 1, [ROWS[i]!]);
    // The new version answered while the old one still held its requests: nothing waited on the swap.
    expect(events[0]).toBe('late');

    await svc.drained();
    expect(svc.health().draining).toEqual([]);
    expect(lines).toContain(`inference: released ${NAME}@1 (drained)`);
    expect(lines.some((l) => l.startsWith(`inference: serving ${NAME}@2 on cpu (was @1; it drains 6 request(s) in flight)`))).toBe(true);
    // The released session is gone for good, and v2 keeps scoring.
    expectScoredBy(await svc.score({ rows: ROWS }), 2, ROWS);
  });

  it('releases an idle old version at once, and a plain reload with nothing new changes nothing', async () => {
    publish(1);
    const { lines, logger } = recordingLogger();
    svc = await createInferenceService({ modelDir: tmp, logger });
    expect((await svc.reload()).models[0]).toMatchObject({ version: 1, previousVersion: 1, changed: false });
    publish(2);
    await svc.reload();
    await svc.drained();
    expect(lines).toContain(`inference: released ${NAME}@1 (drained)`);
    expectScoredBy(await svc.score({ rows: ROWS }), 2, ROWS);
  });

  it.each([
    [
      'a corrupt model file',
      (dir: string) => writeFileSync(path.join(dir, 'model.onnx'), Buffer.from('definitely not protobuf')),
      ModelFileError,
      /model\.onnx: onnxruntime cannot load it/,
    ],
    [
      'a manifest that disagrees with its graph',
      (dir: string) => {
        const file = path.join(dir, 'manifest.json');
        const m = JSON.parse(readFileSync(file, 'utf8'));
        m.inputs = m.inputs.slice(0, 5);
        writeFileSync(file, JSON.stringify(m));
      },
      ModelMismatchError,
      /input features has shape \[N, 6\], manifest expects \[N, 5\]/,
    ],
    [
      'a version with its input columns reordered',
      (dir: string) => {
        const file = path.join(dir, 'manifest.json');
        const m = JSON.parse(readFileSync(file, 'utf8'));
        m.inputs = [m.inputs[1], m.inputs[0], ...m.inputs.slice(2)];
        writeFileSync(file, JSON.stringify(m));
      },
      ModelIncompatibleError,
      /takes inputs \[log_work_units, completion_rate, .*\] but @1 serving now takes \[completion_rate, log_work_units, /,
    ],
  ])('refuses %s and keeps serving the old version', async (_what, spoil, errorClass, message) => {
    publish(1);
    svc = await createInferenceService({ modelDir: tmp, logger: silentLogger });
    spoil(publish(2));
    const refused = svc.reload();
    await expect(refused).rejects.toThrow(errorClass);
    await expect(refused).rejects.toThrow(message);
    expect(svc.model).toEqual({ name: NAME, version: 1 });
    expect(svc.health().draining).toEqual([]);
    expectScoredBy(await svc.score({ rows: ROWS }), 1, ROWS);
  });

  it('switches input columns only when told to', async () => {
    publish(1);
    svc = await createInferenceService({ modelDir: tmp, logger: silentLogger });
    publish(2, PARAMS[2], (m) => {
      m.inputs = [m.inputs[1], m.inputs[0], ...m.inputs.slice(2)];
    });
    await expect(svc.reload()).rejects.toThrow(ModelIncompatibleError);
    await svc.reload({ allowInputChange: true });
    const res = await svc.score({ rows: [ROWS[0]!] });
    expectScoredBy(res, 2, [ROWS[0]!]);
    // The echoed features follow the new column order.
    expect(Object.keys(res.results[0]!.features).slice(0, 2)).toEqual(['log_work_units', 'completion_rate']);
  });

  it('holds a configured version, moves to an explicit one, keeps it, and rolls back', async () => {
    publish(1);
    publish(2);
    publish(3);
    svc = await createInferenceService({ modelDir: tmp, logger: silentLogger, modelVersion: 1 });
    expectScoredBy(await svc.score({ rows: ROWS }), 1, ROWS);
    expect((await svc.reload()).models[0]).toMatchObject({ version: 1, changed: false });
    await svc.reload({ model: NAME, version: 3 });
    expectScoredBy(await svc.score({ rows: ROWS }), 3, ROWS);
    // A later plain reload keeps the explicit choice instead of undoing it.
    expect((await svc.reload()).models[0]).toMatchObject({ version: 3, changed: false });
    await svc.reload({ model: NAME, version: 2 });
    expectScoredBy(await svc.score({ rows: ROWS }), 2, ROWS);
    await expect(svc.reload({ model: NAME, version: 9 })).rejects.toThrow(/has no version 9 \(versions: 3, 2, 1\)/);
    await expect(svc.reload({ model: 'nope' })).rejects.toThrow(/model "nope" is not in the registry/);
    await svc.drained();
    expect(svc.model.version).toBe(2);
  });

  it('runs concurrent reloads one after the other', async () => {
    publish(1);
    svc = await createInferenceService({ modelDir: tmp, logger: silentLogger });
    publish(2);
    const [a, b] = await Promise.all([svc.reload(), svc.reload()]);
    expect(a.models[0]).toMatchObject({ version: 2, previousVersion: 1, changed: true });
    // The second saw what the first left serving: nothing to do, and no second session for v2.
    expect(b.models[0]).toMatchObject({ version: 2, previousVersion: 2, changed: false });
  });
});

describe('POST /admin/reload', () => {
  let svc: InferenceService;
  let url: string;
  beforeEach(async () => {
    publish(1);
    svc = await createInferenceService({ modelDir: tmp, logger: silentLogger, adminToken: TOKEN });
    ({ url } = await svc.listen(0));
  });
  afterEach(() => svc.close());

  const reload = (body?: unknown, token: string | null = TOKEN) =>
    fetch(`${url}/admin/reload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const scoreHttp = async () => {
    const res = await fetch(`${url}/score`, { method: 'POST', body: JSON.stringify({ rows: ROWS }) });
    expect(res.status).toBe(200);
    return (await res.json()) as ScoreResponse;
  };

  it('reloads with the token and answers what changed', async () => {
    publish(2);
    const res = await reload();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ models: [{ name: NAME, version: 2, previousVersion: 1, changed: true, executionProvider: 'cpu' }] });
    expectScoredBy(await scoreHttp(), 2, ROWS);
    expect(((await (await fetch(`${url}/health`)).json()) as any).models[0].version).toBe(2);
    // An explicit rollback through the same route.
    expect((await reload({ model: NAME, version: 1 })).status).toBe(200);
    expectScoredBy(await scoreHttp(), 1, ROWS);
  });

  it('answers 409 RELOAD_REFUSED for a corrupt version and keeps serving the old one', async () => {
    writeFileSync(path.join(publish(2), 'model.onnx'), Buffer.from('garbage'));
    const res = await reload();
    expect(res.status).toBe(409);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('RELOAD_REFUSED');
    expect(body.error.message).toMatch(/^ModelFileError: .*provider-reputation\/2\/model\.onnx: onnxruntime cannot load it/);
    expectScoredBy(await scoreHttp(), 1, ROWS);
  });

  it.each([
    ['no token', null, 401, 'UNAUTHORIZED'],
    ['a wrong token', 'test-admin-token-0123456788', 401, 'UNAUTHORIZED'],
  ])('answers %s with 401 and changes nothing', async (_what, token, status, code) => {
    publish(2);
    const res = await reload(undefined, token);
    expect(res.status).toBe(status);
    expect(((await res.json()) as any).error.code).toBe(code);
    expectScoredBy(await scoreHttp(), 1, ROWS);
  });

  it.each([
    [{ version: 2 }, /"version" needs "model"/],
    [{ model: NAME, version: 0 }, /positive integer or "latest"/],
    [{ force: true }, /unknown field\(s\): force/],
  ])('answers 400 for %j', async (body, message) => {
    const res = await reload(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toMatch(message);
  });

  it('is off (403) when no admin token is configured', async () => {
    const open = await createInferenceService({ modelDir: tmp, logger: silentLogger });
    try {
      const { url: openUrl } = await open.listen(0);
      const res = await fetch(`${openUrl}/admin/reload`, { method: 'POST' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('ADMIN_DISABLED');
    } finally {
      await open.close();
    }
  });
});
