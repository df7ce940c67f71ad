// Signed mutations end to end: typed data from the gateway, signed by wallets that hold no ETH,
// checked against the real index (the indexer process follows the devnet into Postgres) and relayed
// through the forwarder on the devnet. Every mutation's happy path, and every refusal code with the
// proof that it changed nothing (the signer's forwarder nonce and the relayer's transaction count).
import type { FormattedExecutionResult } from 'graphql';
import { type Address, keccak256, toHex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { computeMarketAbi, gridTokenAbi, subnetRegistryAbi } from '../chain';
import { createGateway, DEVNET_RELAYER_KEY, type Gateway } from '../gateway';
import { createMutationFixture, createValidatorSubnet, type MutationFixture, RENDER_MARKET, signTypedDataJson } from './harness/mutations';
import { ETHER, labelAccount } from './harness/protocol';

jest.setTimeout(180_000);

type Args = Record<string, unknown>;

function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
const argList = (a: Args) =>
  Object.entries(a)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ');

const RESULT = 'transactionHash status signer nonce blockNumber gasUsed id jobId provider';
const REQUEST = 'from to value gas nonce deadline data';

interface Signed {
  request: Record<string, string>;
  signature: `0x${string}`;
  typedData: Record<string, unknown>;
}

const codeOf = (res: FormattedExecutionResult) => res.errors?.[0]?.extensions?.code;

describe('signed mutations through the forwarder', () => {
  let f: MutationFixture;
  const sender = labelAccount('mut-sender');
  const sender2 = labelAccount('mut-sender-2');
  const provider = labelAccount('mut-provider');
  const stranger = labelAccount('mut-stranger');
  let jobId: number;

  const prepare = async (action: string, from: Address, args: Args, gateway?: Gateway) => {
    const res = await f.exec(
      `{ ${action}TypedData(${argList({ from, ...args })}) { typedData request { ${REQUEST} } } }`,
      {},
      undefined,
      gateway,
    );
    expect(res.errors).toBeUndefined();
    return (res.data as Record<string, { typedData: Record<string, unknown>; request: Record<string, string> }>)[`${action}TypedData`]!;
  };
  const sign = async (action: string, who: PrivateKeyAccount, args: Args): Promise<Signed> => {
    const { typedData, request } = await prepare(action, who.address, args);
    return { request, typedData, signature: await signTypedDataJson(who, typedData) };
  };
  const send = (action: string, s: Pick<Signed, 'request' | 'signature'>, clientIp?: string, gateway?: Gateway) =>
    f.exec(
      `mutation($r: ForwardRequestInput!, $s: String!) { ${action}(request: $r, signature: $s) { ${RESULT} } }`,
      { r: s.request, s: s.signature },
      clientIp,
      gateway,
    );
  /** Prepares, signs and sends; expects success and waits for the index to hold the block. */
  const act = async (action: string, who: PrivateKeyAccount, args: Args) => {
    const res = await send(action, await sign(action, who, args));
    expect(res.errors).toBeUndefined();
    const out = (res.data as Record<string, Record<string, unknown>>)[action]!;
    expect(out.status).toBe('SUCCESS');
    expect(out.signer).toBe(who.address.toLowerCase());
    await f.indexed(out.blockNumber as number);
    return out;
  };
  const permit = async (who: PrivateKeyAccount, spender: 'COMPUTE_MARKET' | 'SUBNET_REGISTRY', amount: bigint) => {
    const q = await f.exec(
      `{ approveTokenTypedData(owner: "${who.address}", spender: ${spender}, amount: "${amount}") { typedData permit { owner spender value nonce deadline } } }`,
    );
    expect(q.errors).toBeUndefined();
    const { typedData, permit: p } = (q.data as any).approveTokenTypedData;
    const signature = await signTypedDataJson(who, typedData);
    return { permit: p, signature };
  };
  const sendPermit = (p: { permit: unknown; signature: string }) =>
    f.exec(`mutation($p: PermitInput!, $s: String!) { approveToken(permit: $p, signature: $s) { ${RESULT} } }`, {
      p: p.permit,
      s: p.signature,
    });

  /** Runs `attempt` and checks that it changed nothing: no relayed transaction, the signer's nonce as it was. */
  const refused = async (who: Address, attempt: () => Promise<FormattedExecutionResult>, code: string) => {
    const [nonce, txs] = await Promise.all([f.forwarderNonce(who), f.relayerTxCount()]);
    const res = await attempt();
    expect(res.data).toBeNull();
    expect(codeOf(res)).toBe(code);
    expect(await f.forwarderNonce(who)).toBe(nonce);
    expect(await f.relayerTxCount()).toBe(txs);
    return res.errors![0]!;
  };
  const job = async (id: number) => {
    await f.indexed();
    const res = await f.exec(`{ job(jobId: ${id}) { state sender provider { address } failures } }`);
    return (res.data as any).job;
  };
  const specHash = (s: string) => keccak256(toHex(s));

  beforeAll(async () => {
    f = await createMutationFixture();
    await f.mint(sender.address, 1_000n * ETHER);
    await f.mint(sender2.address, 1_000n * ETHER);
    await f.indexed();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('serves typed data that viem signs and recovers as it is: the forwarder domain, the next nonce, a chain-clock deadline', async () => {
    const { typedData, request } = await prepare('registerProvider', provider.address, {
      gpuModel: 'RTX 4090',
      vramGb: 24,
      benchmarkScore: 900,
      tier: 2,
    });
    expect(typedData.primaryType).toBe('ForwardRequest');
    expect(typedData.domain).toEqual({
      name: 'GridmindForwarder',
      version: '1',
      chainId: 31337,
      verifyingContract: f.d.contracts.forwarder,
    });
    expect(typedData.message).toEqual(request);
    expect(request).toMatchObject({ from: provider.address.toLowerCase(), to: f.d.contracts.market, value: '0', nonce: '0' });
    const now = (await f.c.pub.getBlock()).timestamp;
    expect(BigInt(request.deadline) - now).toBeGreaterThanOrEqual(590n);
    expect(BigInt(request.deadline) - now).toBeLessThanOrEqual(600n);
  });

  it('registerProvider and updateProvider: gasless for the provider, id = its address; a second registration is WRONG_ROLE', async () => {
    expect(await f.c.pub.getBalance({ address: provider.address })).toBe(0n);
    const out = await act('registerProvider', provider, { gpuModel: 'RTX 4090', vramGb: 24, benchmarkScore: 900, tier: 2 });
    expect(out).toMatchObject({ id: provider.address.toLowerCase(), provider: provider.address.toLowerCase(), nonce: '0', jobId: null });
    expect(BigInt(out.gasUsed as string)).toBeGreaterThan(0n);
    const p = await f.read<{ registered: boolean; tier: number }>(f.d.contracts.market, computeMarketAbi, 'getProvider', [
      provider.address,
    ]);
    expect(p).toMatchObject({ registered: true, tier: 2 });
    expect(await f.c.pub.getBalance({ address: provider.address })).toBe(0n);

    const again = await sign('registerProvider', provider, { gpuModel: 'RTX 4090', vramGb: 24, benchmarkScore: 900, tier: 2 });
    const err = await refused(provider.address, () => send('registerProvider', again), 'WRONG_ROLE');
    expect(err.message).toMatch(/registered provider already/);

    const upd = await act('updateProvider', provider, { gpuModel: 'H100', vramGb: 80, benchmarkScore: 3000, tier: 3 });
    expect(upd.id).toBe(provider.address.toLowerCase());
    const res = await f.exec(`{ provider(address: "${provider.address}") { gpuModel vramGb tier } }`);
    expect((res.data as any).provider).toEqual({ gpuModel: 'H100', vramGb: 80, tier: 3 });
    await refused(
      stranger.address,
      async () => send('updateProvider', await sign('updateProvider', stranger, { gpuModel: 'x', vramGb: 1, benchmarkScore: 1, tier: 1 })),
      'WRONG_ROLE',
    );
  });

  it('approveToken relays an ERC-2612 permit; without it submitJob is INSUFFICIENT_ALLOWANCE, without token INSUFFICIENT_BALANCE', async () => {
    const args = { marketId: RENDER_MARKET, specHash: specHash('scene-1'), workEstimate: '1000', deadlineIn: 3600 };
    const noAllowance = await refused(
      sender.address,
      async () => send('submitJob', await sign('submitJob', sender, args)),
      'INSUFFICIENT_ALLOWANCE',
    );
    expect(noAllowance.extensions).toMatchObject({ required: (4n * ETHER).toString(), available: '0', spender: f.d.contracts.market });
    await refused(stranger.address, async () => send('submitJob', await sign('submitJob', stranger, args)), 'INSUFFICIENT_BALANCE');

    const p = await permit(sender, 'COMPUTE_MARKET', 100n * ETHER);
    expect(p.permit).toMatchObject({ owner: sender.address.toLowerCase(), spender: f.d.contracts.market, nonce: '0' });
    const res = await sendPermit(p);
    expect(res.errors).toBeUndefined();
    expect((res.data as any).approveToken).toMatchObject({
      status: 'SUCCESS',
      id: `${sender.address.toLowerCase()}-${f.d.contracts.market}`,
    });
    expect(await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'allowance', [sender.address, f.d.contracts.market])).toBe(100n * ETHER);
    // The same permit again: its token nonce is spent.
    const replay = await sendPermit(p);
    expect(codeOf(replay)).toBe('NONCE_USED');
  });

  it('submitJob escrows the quote and returns the new job id; the index has it as POSTED by the signer', async () => {
    const before = await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'balanceOf', [sender.address]);
    const out = await act('submitJob', sender, {
      marketId: RENDER_MARKET,
      specHash: specHash('scene-1'),
      workEstimate: '1000',
      deadlineIn: 3600,
    });
    jobId = out.jobId as number;
    expect(jobId).toBe(1);
    expect(out.id).toBe('1');
    expect(await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'balanceOf', [sender.address])).toBe(before - 4n * ETHER);
    expect(await job(jobId)).toEqual({ state: 'POSTED', sender: sender.address.toLowerCase(), provider: null, failures: 0 });
  });

  it('refuses forged signatures, tampered requests, replays, expired and future nonces, each with its code', async () => {
    const args = { marketId: RENDER_MARKET, specHash: specHash('scene-2'), workEstimate: '1000', deadlineIn: 3600 };
    const signed = await sign('submitJob', sender, args);
    // Another key signs a request that claims to be the sender's.
    const forged = { request: signed.request, signature: await signTypedDataJson(stranger, signed.typedData) };
    const e1 = await refused(sender.address, () => send('submitJob', forged), 'INVALID_SIGNATURE');
    expect(e1.extensions?.recovered).toBe(stranger.address.toLowerCase());
    // The sender's signature over a request changed afterwards (more work for the same escrow).
    const other = await sign('submitJob', sender, { ...args, workEstimate: '1' });
    await refused(
      sender.address,
      () => send('submitJob', { request: { ...signed.request, data: other.request.data }, signature: signed.signature }),
      'INVALID_SIGNATURE',
    );
    // Not a signature at all.
    await refused(sender.address, () => send('submitJob', { ...signed, signature: `0x${'00'.repeat(65)}` }), 'INVALID_SIGNATURE');

    // A future nonce (one ahead): signed correctly, but not the next.
    const ahead = { ...signed.request, nonce: String(BigInt(signed.request.nonce) + 1n) };
    const aheadSigned = { request: ahead, signature: await signTypedDataJson(sender, { ...signed.typedData, message: ahead }) };
    await refused(sender.address, () => send('submitJob', aheadSigned), 'NONCE_TOO_HIGH');

    // Sent once, then replayed.
    const res = await send('submitJob', signed);
    expect(res.errors).toBeUndefined();
    const jobs = await f.read<bigint>(f.d.contracts.market, computeMarketAbi, 'jobCount');
    const e2 = await refused(sender.address, () => send('submitJob', signed), 'NONCE_USED');
    expect(e2.extensions).toMatchObject({ nonce: signed.request.nonce, expectedNonce: String(BigInt(signed.request.nonce) + 1n) });
    expect(await f.read<bigint>(f.d.contracts.market, computeMarketAbi, 'jobCount')).toBe(jobs);

    // Expired on the chain's clock.
    const short = await sign('cancelJob', sender, { jobId: Number(jobs), expiresIn: 5 });
    await f.c.pub.request({ method: 'evm_increaseTime' as 'eth_chainId', params: [30] as never });
    await f.c.mine(1);
    await refused(sender.address, () => send('cancelJob', short), 'REQUEST_EXPIRED');
  });

  it('refuses a request signed for another action or contract as BAD_USER_INPUT, and an unknown job as NOT_FOUND', async () => {
    const approve = await sign('approveJob', sender, { jobId });
    await refused(sender.address, () => send('cancelJob', approve), 'BAD_USER_INPUT');
    await refused(sender.address, () => send('addStake', approve), 'BAD_USER_INPUT');
    const missing = await sign('cancelJob', sender, { jobId: 999 });
    await refused(sender.address, () => send('cancelJob', missing), 'NOT_FOUND');
  });

  it('cancelJob: only the sender (WRONG_ROLE for anyone else), refunding the escrow', async () => {
    const second = await act('submitJob', sender, {
      marketId: RENDER_MARKET,
      specHash: specHash('scene-3'),
      workEstimate: '2000',
      deadlineIn: 3600,
    });
    const id = second.jobId as number;
    await refused(provider.address, async () => send('cancelJob', await sign('cancelJob', provider, { jobId: id })), 'WRONG_ROLE');
    const before = await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'balanceOf', [sender.address]);
    const out = await act('cancelJob', sender, { jobId: id });
    expect(out).toMatchObject({ id: String(id), jobId: id });
    expect(await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'balanceOf', [sender.address])).toBe(before + 8n * ETHER);
    expect((await job(id)).state).toBe('CANCELLED');
  });

  it('claimJob, submitJobResult, rejectJob, approveJob: the roles of provider and sender, and contract reverts by name', async () => {
    // A stranger is no provider; the sender cannot review work that is not completed (the contract says so).
    await refused(stranger.address, async () => send('claimJob', await sign('claimJob', stranger, { jobId })), 'WRONG_ROLE');
    const early = await refused(
      sender.address,
      async () => send('approveJob', await sign('approveJob', sender, { jobId })),
      'CONTRACT_REVERTED',
    );
    expect(early.extensions?.contractError).toEqual({ name: 'InvalidJobState', args: { jobId: String(jobId), state: '1', expected: '3' } });

    expect(await act('claimJob', provider, { jobId })).toMatchObject({ id: String(jobId), jobId });
    expect(await job(jobId)).toMatchObject({ state: 'CLAIMED', provider: { address: provider.address.toLowerCase() } });

    const result = { jobId, resultHash: specHash('frames-1'), workUnits: '1000' };
    await refused(sender.address, async () => send('submitJobResult', await sign('submitJobResult', sender, result)), 'WRONG_ROLE');
    await act('submitJobResult', provider, result);
    expect((await job(jobId)).state).toBe('COMPLETED');

    await refused(provider.address, async () => send('rejectJob', await sign('rejectJob', provider, { jobId })), 'WRONG_ROLE');
    await refused(stranger.address, async () => send('approveJob', await sign('approveJob', stranger, { jobId })), 'WRONG_ROLE');
    await act('rejectJob', sender, { jobId });
    expect(await job(jobId)).toMatchObject({ state: 'POSTED', failures: 1, provider: null });

    await act('claimJob', provider, { jobId });
    await act('submitJobResult', provider, { ...result, resultHash: specHash('frames-2') });
    const supply = await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'totalSupply');
    expect(await act('approveJob', sender, { jobId })).toMatchObject({ id: String(jobId), jobId });
    expect(await job(jobId)).toMatchObject({ state: 'APPROVED' });
    // BME: 95% of the 4 GRID burned.
    expect(await f.read<bigint>(f.d.contracts.token, gridTokenAbi, 'totalSupply')).toBe(supply - (4n * ETHER * 95n) / 100n);
  });

  it('addStake, removeStake (INSUFFICIENT_STAKE beyond the position), setWeights by a permit holder only', async () => {
    const { netuid, hotkey } = await createValidatorSubnet(f, 'mutval');
    const coldkey = sender2;
    await f.indexed();
    // No allowance to the registry yet.
    const stakeArgs = { hotkey: hotkey.address, netuid, amount: (5n * ETHER).toString() };
    await refused(coldkey.address, async () => send('addStake', await sign('addStake', coldkey, stakeArgs)), 'INSUFFICIENT_ALLOWANCE');
    expect((await sendPermit(await permit(coldkey, 'SUBNET_REGISTRY', 100n * ETHER))).errors).toBeUndefined();
    const position = `${coldkey.address.toLowerCase()}-${hotkey.address.toLowerCase()}-${netuid}`;
    expect((await act('addStake', coldkey, stakeArgs)).id).toBe(position);
    expect(await f.read<bigint>(f.d.contracts.registry, subnetRegistryAbi, 'stakeOf', [coldkey.address, hotkey.address, netuid])).toBe(
      5n * ETHER,
    );
    await refused(
      coldkey.address,
      async () => send('removeStake', await sign('removeStake', coldkey, { ...stakeArgs, amount: (6n * ETHER).toString() })),
      'INSUFFICIENT_STAKE',
    );
    expect((await act('removeStake', coldkey, { ...stakeArgs, amount: (2n * ETHER).toString() })).id).toBe(position);
    const res = await f.exec(`{ stakePositions(where: { id: "${position}" }) { items { amount } } }`);
    expect((res.data as any).stakePositions.items).toEqual([{ amount: (3n * ETHER).toString() }]);
    // A hotkey on an unregistered uid may not stake: NOT_FOUND.
    await refused(
      coldkey.address,
      async () => send('addStake', await sign('addStake', coldkey, { ...stakeArgs, hotkey: stranger.address })),
      'NOT_FOUND',
    );

    const weights = { netuid, uids: [0], values: [65535] };
    await refused(stranger.address, async () => send('setWeights', await sign('setWeights', stranger, weights)), 'WRONG_ROLE');
    const out = await act('setWeights', hotkey, weights);
    expect(out.id).toBe(`${netuid}-0`);
    const w = await f.exec(`{ weights(where: { id: "${netuid}-0" }) { items { uids values } } }`);
    expect((w.data as any).weights.items).toEqual([{ uids: [0], values: [65535] }]);
  });

  it('approveJob and rejectJob by a validator-permit holder of the compute subnet; the same hotkey before its subnet is the compute subnet is WRONG_ROLE', async () => {
    const { netuid, hotkey } = await createValidatorSubnet(f, 'mutreview');
    await f.indexed();
    const posted = await act('submitJob', sender, {
      marketId: RENDER_MARKET,
      specHash: specHash('review'),
      workEstimate: '1000',
      deadlineIn: 3600,
    });
    const id = posted.jobId as number;
    const result = { jobId: id, resultHash: specHash('review-frames'), workUnits: '1000' };
    await act('claimJob', provider, { jobId: id });
    await act('submitJobResult', provider, result);

    // A permit on some other subnet makes no reviewer: the gateway refuses before relaying.
    await refused(hotkey.address, async () => send('approveJob', await sign('approveJob', hotkey, { jobId: id })), 'WRONG_ROLE');

    await f.c.send(
      f.c.wallet(f.admin).writeContract({
        address: f.d.contracts.registry,
        abi: subnetRegistryAbi,
        functionName: 'setComputeSubnet',
        args: [netuid],
      }),
    );
    await f.indexed();
    expect(await f.read<boolean>(f.d.contracts.market, computeMarketAbi, 'isValidator', [hotkey.address])).toBe(true);

    await act('rejectJob', hotkey, { jobId: id });
    expect(await job(id)).toMatchObject({ state: 'POSTED', failures: 1, provider: null });
    await act('claimJob', provider, { jobId: id });
    await act('submitJobResult', provider, { ...result, resultHash: specHash('review-frames-2') });
    const out = await act('approveJob', hotkey, { jobId: id });
    expect(out).toMatchObject({ id: String(id), jobId: id, signer: hotkey.address.toLowerCase() });
    expect(await job(id)).toMatchObject({ state: 'APPROVED', sender: sender.address.toLowerCase() });
    // The stranger (no neuron anywhere) stays refused.
    await refused(stranger.address, async () => send('rejectJob', await sign('rejectJob', stranger, { jobId: id })), 'WRONG_ROLE');
  });

  it('relays parallel mutations from many wallets in one relayer queue, and one of two copies of a request', async () => {
    const wallets = Array.from({ length: 8 }, (_, i) => labelAccount(`mut-parallel-${i}`));
    const signed = await Promise.all(
      wallets.map((w, i) => sign('registerProvider', w, { gpuModel: `GPU ${i}`, vramGb: 16, benchmarkScore: 100 + i, tier: 1 })),
    );
    const txsBefore = await f.relayerTxCount();
    const t0 = performance.now();
    const results = await Promise.all([...signed.map((s) => send('registerProvider', s)), send('registerProvider', signed[0]!)]);
    const ms = performance.now() - t0;
    const codes = results.map((r) => codeOf(r) ?? (r.data as any).registerProvider.status);
    expect(codes.filter((c) => c === 'SUCCESS')).toHaveLength(8);
    expect(codes.filter((c) => c === 'NONCE_USED')).toHaveLength(1);
    expect(await f.relayerTxCount()).toBe(txsBefore + 8);
    const hashes = new Set(results.filter((r) => !r.errors).map((r) => (r.data as any).registerProvider.transactionHash));
    expect(hashes.size).toBe(8);
    for (const w of wallets) {
      expect(await f.read<{ registered: boolean }>(f.d.contracts.market, computeMarketAbi, 'getProvider', [w.address])).toMatchObject({
        registered: true,
      });
    }
    console.log(`gateway-mutations: 8 parallel registerProvider relayed and mined in ${ms.toFixed(0)} ms`);
  });

  it('answers at once with wait: false (PENDING), and the transaction is mined', async () => {
    const signed = await sign('updateProvider', provider, { gpuModel: 'H200', vramGb: 141, benchmarkScore: 4000, tier: 3 });
    const res = await f.exec(
      `mutation($r: ForwardRequestInput!, $s: String!) { updateProvider(request: $r, signature: $s, wait: false) { ${RESULT} } }`,
      { r: signed.request, s: signed.signature },
    );
    expect(res.errors).toBeUndefined();
    const out = (res.data as any).updateProvider;
    expect(out).toMatchObject({ status: 'PENDING', blockNumber: null, gasUsed: null, id: null, nonce: signed.request.nonce });
    const receipt = await f.c.pub.waitForTransactionReceipt({ hash: out.transactionHash, pollingInterval: 20 });
    expect(receipt.status).toBe('success');
    expect(await f.read<{ gpuModel: string }>(f.d.contracts.market, computeMarketAbi, 'getProvider', [provider.address])).toMatchObject({
      gpuModel: 'H200',
    });
  });

  it('limits mutations per signer address and per client IP (RATE_LIMITED), counting refused ones too', async () => {
    const limited = await createGateway({
      databaseUrl: f.db.url,
      rpcUrl: f.devnet.rpcUrl,
      deployment: f.d,
      // Nothing is relayed here: every attempt is refused.
      relayerKey: DEVNET_RELAYER_KEY,
      mutationRateLimits: { perAddressPerMinute: 1, perAddressBurst: 2, perIpPerMinute: 1, perIpBurst: 4 },
    });
    try {
      // Spent nonces: each attempt passes the signature and is refused as a replay, after the limits.
      const used = await sign('cancelJob', sender, { jobId });
      const stale = { ...used.request, nonce: '0' };
      const replay = { request: stale, signature: await signTypedDataJson(sender, { ...used.typedData, message: stale }) };
      expect(codeOf(await send('cancelJob', replay, '10.1.0.1', limited))).toBe('NONCE_USED');
      expect(codeOf(await send('cancelJob', replay, '10.1.0.2', limited))).toBe('NONCE_USED');
      const e = await send('cancelJob', replay, '10.1.0.3', limited);
      expect(codeOf(e)).toBe('RATE_LIMITED');
      // Per IP: four from one address pass (each from another signer, refused for their role), the fifth does not.
      const signers = Array.from({ length: 5 }, (_, i) => labelAccount(`mut-limit-${i}`));
      const reqs = await Promise.all(signers.map((w) => sign('cancelJob', w, { jobId })));
      const seen = [];
      for (const r of reqs) seen.push(codeOf(await send('cancelJob', r, '10.2.0.1', limited)));
      expect(seen).toEqual(['WRONG_ROLE', 'WRONG_ROLE', 'WRONG_ROLE', 'WRONG_ROLE', 'RATE_LIMITED']);
    } finally {
      await limited.close();
    }
  });

  it('serves typed data without a relayer key, and answers the mutations MUTATIONS_UNAVAILABLE', async () => {
    const readOnly = await createGateway({ databaseUrl: f.db.url, rpcUrl: f.devnet.rpcUrl, deployment: f.d });
    try {
      const { request, typedData } = await prepare('claimJob', provider.address, { jobId }, readOnly);
      const s = { request, signature: await signTypedDataJson(provider, typedData) };
      await refused(provider.address, () => send('claimJob', s, undefined, readOnly), 'MUTATIONS_UNAVAILABLE');
    } finally {
      await readOnly.close();
    }
  });

  it('answers RELAY_FAILED when the relayer cannot pay for gas, and the same signed request goes through later', async () => {
    const broke = await createGateway({
      databaseUrl: f.db.url,
      rpcUrl: f.devnet.rpcUrl,
      deployment: f.d,
      relayerKey: keccak256(toHex('mut-relayer-without-eth')),
    });
    try {
      const w = labelAccount('mut-relay-failed');
      const signed = await sign('registerProvider', w, { gpuModel: 'T4', vramGb: 16, benchmarkScore: 100, tier: 1 });
      const e = await refused(w.address, () => send('registerProvider', signed, undefined, broke), 'RELAY_FAILED');
      expect(e.message).toMatch(/registerProvider/);
      const ok = await send('registerProvider', signed);
      expect(ok.errors).toBeUndefined();
    } finally {
      await broke.close();
    }
  });

  it('over HTTP: typed data, a signed mutation, and a refusal with its code', async () => {
    // A gateway of its own: Apollo starts once, and the fixture's started in-process. The same relayer
    // key is safe: nothing else relays from now on.
    const served = await createGateway({ databaseUrl: f.db.url, rpcUrl: f.devnet.rpcUrl, deployment: f.d, relayerKey: DEVNET_RELAYER_KEY });
    try {
      await httpRoundTrip((await served.listen(0, '127.0.0.1')).url);
    } finally {
      await served.close();
    }
  });

  async function httpRoundTrip(url: string) {
    const post = async (query: string, variables: Args = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as FormattedExecutionResult;
    };
    const http = labelAccount('mut-http');
    const q = await post(
      `query($from: String!) { registerProviderTypedData(from: $from, gpuModel: "A100", vramGb: 40, benchmarkScore: 1500, tier: 2) { typedData } }`,
      {
        from: http.address,
      },
    );
    const { typedData } = (q.data as any).registerProviderTypedData;
    const signature = await signTypedDataJson(http, typedData);
    const mutation = `mutation($r: ForwardRequestInput!, $s: String!) { registerProvider(request: $r, signature: $s) { status id } }`;
    const forged = await post(mutation, { r: typedData.message, s: await signTypedDataJson(stranger, typedData) });
    expect(forged.errors?.[0]?.extensions).toEqual({ code: 'INVALID_SIGNATURE', recovered: stranger.address.toLowerCase() });
    const ok = await post(mutation, { r: typedData.message, s: signature });
    expect(ok).toEqual({ data: { registerProvider: { status: 'SUCCESS', id: http.address.toLowerCase() } } });
  }
});
