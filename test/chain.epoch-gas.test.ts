/**
 * One epoch of a full subnet (256 uids) must fit in one transaction under osaka's per-transaction
 * gas cap. Worst case for the ledger: every uid earns, and every uid's coldkey is a distinct
 * account holding no token yet (each mint writes a fresh balance slot).
 */
import { maxUint256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  createKeeper,
  type Devnet,
  deployProtocol,
  epochLedgerAbi,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  startDevnet,
  subnetRegistryAbi,
} from '../chain';
import { ETHER, labelAccount, protocolClients } from './harness/protocol';

const OSAKA_TX_GAS_CAP = 16_777_216n;
const N = 256;
// Few validators suffice for the worst case: full rows make every uid earn incentive, so every uid is minted to.
const VALIDATORS = 8;

describe('epoch gas', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it(`posts a ${N}-uid epoch in one transaction below the osaka cap`, async () => {
    const d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    const c = protocolClients(devnet.rpcUrl);
    const deployer = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
    const registry = { address: d.contracts.registry, abi: subnetRegistryAbi } as const;
    const token = { address: d.contracts.token, abi: gridTokenAbi } as const;
    const dw = c.wallet(deployer);
    // Free registration, so that no coldkey holds a token before the epoch pays it.
    await c.send(dw.writeContract({ ...registry, functionName: 'setNeuronRegistrationCost', args: [0n] }));
    await c.send(dw.writeContract({ ...token, functionName: 'mint', args: [deployer.address, 1_000_000n * ETHER] }));
    await c.send(dw.writeContract({ ...token, functionName: 'approve', args: [d.contracts.registry, maxUint256] }));
    const hp = await c.pub.readContract({ ...registry, functionName: 'defaultHyperparameters', args: [10] });
    await c.send(
      dw.writeContract({ ...registry, functionName: 'registerSubnetWithHyperparameters', args: ['full', { ...hp, weightsRateLimit: 0n }] }),
    );
    const netuid = 2;

    const coldkeys = Array.from({ length: N }, (_, i) => labelAccount(`gas-coldkey-${i}`));
    const hotkeys = Array.from({ length: N }, (_, i) => labelAccount(`gas-hotkey-${i}`));
    await c.fund([...coldkeys.map((a) => a.address), ...hotkeys.slice(0, VALIDATORS).map((a) => a.address)]);
    // Sent back to back from distinct accounts: automine keeps them in order, one block each.
    const sent = [];
    for (let uid = 0; uid < N; uid++) {
      sent.push(
        await c
          .wallet(coldkeys[uid]!)
          .writeContract({ ...registry, functionName: 'registerNeuron', args: [netuid, hotkeys[uid]!.address], gas: 400_000n }),
      );
    }
    await Promise.all(sent.map((h) => c.send(Promise.resolve(h as `0x${string}`))));
    // The deployer delegates to the validators (its own balance already exists; the coldkeys stay empty).
    for (let v = 0; v < VALIDATORS; v++) {
      await c.send(
        dw.writeContract({ ...registry, functionName: 'addStake', args: [hotkeys[v]!.address, netuid, BigInt(1000 + v) * ETHER] }),
      );
    }
    const keeper = createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d });
    await c.mine(10);
    expect((await keeper.tick()).map((p) => p.netuid)).toContain(netuid);

    // Every validator weights every uid (its own column is masked by the epoch): all 256 earn.
    const uids = Array.from({ length: N }, (_, j) => j);
    for (let v = 0; v < VALIDATORS; v++) {
      await c.send(
        c.wallet(hotkeys[v]!).writeContract({
          ...registry,
          functionName: 'setWeights',
          args: [netuid, uids, uids.map((j) => 1000 + ((j * 7919 + v) % 500))],
          // Explicit: estimating a 256-entry row re-runs it many times.
          gas: 3_000_000n,
        }),
      );
    }
    await c.mine(10);
    const [posted] = (await keeper.tick()).filter((p) => p.netuid === netuid);
    expect(posted!.inputs.hotkeys).toHaveLength(N);
    expect(posted!.built.emission.every((e) => e > 0n)).toBe(true);
    const count = await c.pub.readContract({
      address: d.contracts.ledger,
      abi: epochLedgerAbi,
      functionName: 'epochCount',
      args: [netuid],
    });
    expect(count).toBe(2n);
    console.log(`256-uid epoch post: ${posted!.gasUsed} gas (cap ${OSAKA_TX_GAS_CAP})`);
    expect(posted!.gasUsed).toBeLessThan(OSAKA_TX_GAS_CAP);
  }, 120_000);
});
