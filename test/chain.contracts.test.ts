import { createPublicClient, createWalletClient, type Hex, http, maxUint256, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import {
  computeMarketAbi,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  quotePayment,
  startDevnet,
  subnetRegistryAbi,
} from '../chain';

// Hardhat's well-known accounts #1 and #2 (public keys of a public test mnemonic).
const ALICE = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const BOB = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const HOTKEYS = [
  '0x00000000000000000000000000000000000000a1',
  '0x00000000000000000000000000000000000000a2',
  '0x00000000000000000000000000000000000000a3',
] as const;

describe('contracts: named errors and payment math', () => {
  let devnet: Devnet;
  let d: Deployment;
  const pub = () => createPublicClient({ transport: http(devnet.rpcUrl, { retryCount: 0 }), pollingInterval: 50 });
  const wallet = (account = ALICE) => createWalletClient({ account, chain: hardhat, transport: http(devnet.rpcUrl, { retryCount: 0 }) });
  const deployerWallet = () =>
    createWalletClient({
      account: privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'),
      chain: hardhat,
      transport: http(devnet.rpcUrl, { retryCount: 0 }),
    });
  const send = async (p: Promise<Hex>) => {
    const receipt = await pub().waitForTransactionReceipt({ hash: await p });
    expect(receipt.status).toBe('success');
  };

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    const dw = deployerWallet();
    for (const who of [ALICE, BOB]) {
      await send(
        dw.writeContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'mint', args: [who.address, parseEther('10000')] }),
      );
      for (const spender of [d.contracts.registry, d.contracts.market]) {
        await send(
          wallet(who).writeContract({
            address: d.contracts.token,
            abi: gridTokenAbi,
            functionName: 'approve',
            args: [spender, maxUint256],
          }),
        );
      }
    }
    await send(dw.writeContract({ address: d.contracts.registry, abi: subnetRegistryAbi, functionName: 'setDefaultMaxUids', args: [2] }));
    await send(
      dw.writeContract({
        address: d.contracts.market,
        abi: computeMarketAbi,
        functionName: 'createMarket',
        args: [0, 3, 'render-t3', 120_000_000n],
      }),
    );
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it('burns the registration cost and refuses a full subnet with SubnetFull', async () => {
    const registry = { address: d.contracts.registry, abi: subnetRegistryAbi } as const;
    const supplyBefore = await pub().readContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'totalSupply' });
    // netuid 1 is the compute subnet that deployProtocol registers; this one is 2.
    await send(wallet().writeContract({ ...registry, functionName: 'registerSubnet', args: ['tiny', 10] }));
    const supplyAfter = await pub().readContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'totalSupply' });
    expect(supplyBefore - supplyAfter).toBe(parseEther('100'));

    await send(wallet().writeContract({ ...registry, functionName: 'registerNeuron', args: [2, HOTKEYS[0]] }));
    await expect(
      pub().simulateContract({ ...registry, account: ALICE, functionName: 'registerNeuron', args: [2, HOTKEYS[0]] }),
    ).rejects.toThrow(/HotkeyAlreadyRegistered/);
    await expect(
      pub().simulateContract({ ...registry, account: BOB, functionName: 'registerNeuron', args: [2, HOTKEYS[0]] }),
    ).rejects.toThrow(/HotkeyOwnedByOther/);
    await send(wallet().writeContract({ ...registry, functionName: 'registerNeuron', args: [2, HOTKEYS[1]] }));
    await expect(
      pub().simulateContract({ ...registry, account: ALICE, functionName: 'registerNeuron', args: [2, HOTKEYS[2]] }),
    ).rejects.toThrow(/SubnetFull/);
    await expect(
      pub().simulateContract({ ...registry, account: ALICE, functionName: 'registerNeuron', args: [9, HOTKEYS[2]] }),
    ).rejects.toThrow(/UnknownSubnet/);
    await expect(
      pub().simulateContract({ ...registry, account: BOB, functionName: 'addStake', args: [HOTKEYS[2], 2, 1n] }),
    ).rejects.toThrow(/HotkeyNotRegistered/);
    await send(wallet(BOB).writeContract({ ...registry, functionName: 'addStake', args: [HOTKEYS[0], 2, parseEther('5')] }));
    await expect(
      pub().simulateContract({ ...registry, account: BOB, functionName: 'removeStake', args: [HOTKEYS[0], 2, parseEther('6')] }),
    ).rejects.toThrow(/InsufficientStake/);
    await send(wallet(BOB).writeContract({ ...registry, functionName: 'removeStake', args: [HOTKEYS[0], 2, parseEther('5')] }));
    expect(await pub().readContract({ ...registry, functionName: 'totalStake' })).toBe(0n);
  });

  it('escrows the quoted payment and enforces tiers and job states', async () => {
    const market = { address: d.contracts.market, abi: computeMarketAbi } as const;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const work = 2_500n; // 2.5 units at $1.20 with GRID at $0.25 = 12 GRID
    await send(wallet(BOB).writeContract({ ...market, functionName: 'postJob', args: [1, `0x${'11'.repeat(32)}`, work, deadline] }));
    const job = await pub().readContract({ ...market, functionName: 'getJob', args: [1n] });
    expect(job.payment).toBe(parseEther('12'));
    expect(job.payment).toBe(quotePayment(work, 120_000_000n, 25_000_000n));
    expect(await pub().readContract({ ...market, functionName: 'escrowed' })).toBe(parseEther('12'));

    await expect(pub().simulateContract({ ...market, account: ALICE, functionName: 'claimJob', args: [1n] })).rejects.toThrow(
      /ProviderNotRegistered/,
    );
    await send(wallet().writeContract({ ...market, functionName: 'registerProvider', args: ['RTX 3090', 24, 650, 1] }));
    await expect(pub().simulateContract({ ...market, account: ALICE, functionName: 'claimJob', args: [1n] })).rejects.toThrow(/TierTooLow/);
    await send(wallet(BOB).writeContract({ ...market, functionName: 'registerProvider', args: ['H100 80GB', 80, 1500, 3] }));
    await send(wallet(BOB).writeContract({ ...market, functionName: 'claimJob', args: [1n] }));
    await expect(
      pub().simulateContract({ ...market, account: ALICE, functionName: 'completeJob', args: [1n, `0x${'22'.repeat(32)}`, 1n] }),
    ).rejects.toThrow(/NotJobProvider/);
    await expect(pub().simulateContract({ ...market, account: BOB, functionName: 'claimJob', args: [1n] })).rejects.toThrow(
      /InvalidJobState/,
    );
    await send(wallet(BOB).writeContract({ ...market, functionName: 'completeJob', args: [1n, `0x${'22'.repeat(32)}`, 2_400n] }));
    expect(await pub().readContract({ ...market, functionName: 'jobsInState', args: [3] })).toBe(1n);
    expect(await pub().readContract({ ...market, functionName: 'jobsInState', args: [1] })).toBe(0n);
  });

  it('guards admin functions with roles', async () => {
    await expect(
      pub().simulateContract({
        address: d.contracts.market,
        abi: computeMarketAbi,
        account: ALICE,
        functionName: 'setOraclePrice',
        args: [1n],
      }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
    await expect(
      pub().simulateContract({
        address: d.contracts.token,
        abi: gridTokenAbi,
        account: ALICE,
        functionName: 'mint',
        args: [ALICE.address, 1n],
      }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
  });
});
