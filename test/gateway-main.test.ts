// The gateway process as users start it: `node lib/gateway/main.js`, configured by environment.
// Start-up failures must be one line and exit code 1; a signal must stop it cleanly.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../schema';
import { createTestDatabase, type TestDatabase } from './harness';

const MAIN = path.join(PROJECT_ROOT, 'lib', 'gateway', 'main.js');

let db: TestDatabase;

beforeAll(async () => {
  // Compile as `npm start` does. Other folders' type errors must not block this test: tsc still
  // emits, and only gateway's output is used.
  await new Promise<void>((resolve) => {
    execFile(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT }, () =>
      resolve(),
    );
  });
  expect(fs.existsSync(MAIN)).toBe(true);
  db = await createTestDatabase();
}, 180_000);

afterAll(() => db?.drop());

interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exit };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitFor(what: string, ms: number, check: () => boolean) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('serves GraphQL at the printed URL and exits 0 on SIGTERM within a couple of seconds', async () => {
  const port = await freePort();
  const p = run({ DATABASE_URL: db.url, PORT: String(port) });
  try {
    await waitFor('the ready line', 20_000, () => p.output().stdout.includes('mutations off'));
    // Without RPC_URL, DEPLOYMENT_FILE and RELAYER_KEY it serves queries only, and says so.
    expect(p.output().stdout).toBe(
      `gateway: ready at http://127.0.0.1:${port}/graphql\n` +
        'gateway: signed mutations off (set RPC_URL, DEPLOYMENT_FILE and RELAYER_KEY)\n',
    );
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ jobs { totalCount } _meta { block } }',
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { jobs: { totalCount: 0 }, _meta: { block: null } },
    });
    const bad = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs(first: 5000) { totalCount } }' }),
    });
    expect(((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(p.output().stderr).toBe('');
  } finally {
    p.child.kill('SIGKILL');
  }
});

it('says in one line that the port is already in use, and exits 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const p = run({ DATABASE_URL: db.url, PORT: String(port) });
    expect(await p.exit).toBe(1);
    expect(p.output().stderr).toBe(`gateway: port ${port} is already in use\n`);
  } finally {
    blocker.close();
  }
});

it('says in one line that it cannot connect to DATABASE_URL (wrong password), and exits 1', async () => {
  const url = new URL(db.url);
  url.password = 'wrong';
  const p = run({
    DATABASE_URL: url.toString(),
    PORT: String(await freePort()),
  });
  expect(await p.exit).toBe(1);
  expect(p.output().stderr).toMatch(/^gateway: cannot connect to DATABASE_URL \(.*password authentication failed.*\)\n$/);
});

it('says in one line that it cannot connect to DATABASE_URL (nothing listening), and exits 1', async () => {
  const dead = await freePort();
  const p = run({
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dead}/x`,
    PORT: String(await freePort()),
  });
  expect(await p.exit).toBe(1);
  expect(p.output().stderr).toBe(`gateway: cannot connect to DATABASE_URL (connect ECONNREFUSED 127.0.0.1:${dead})\n`);
});

it.each([
  [{ PORT: 'eighty' }, 'gateway: PORT must be an integer\n'],
  [{ DATABASE_URL: '' }, 'gateway: DATABASE_URL is required\n'],
  [{ GATEWAY_STATEMENT_TIMEOUT_MS: '-5' }, 'gateway: GATEWAY_STATEMENT_TIMEOUT_MS must be an integer\n'],
])('names the bad variable in one line: %j', async (env, line) => {
  const p = run({ DATABASE_URL: db.url, ...env });
  expect(await p.exit).toBe(1);
  expect(p.output().stderr).toBe(line);
});
