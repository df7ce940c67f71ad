import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Deployment, readDeployment, writeDeployment } from './deployment';
import { DeploymentFileError } from './errors';

const sample: Deployment = {
  chainId: 31337,
  genesisHash: `0x${'ab'.repeat(32)}`,
  startBlock: 1,
  contracts: {
    token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    forwarder: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
    registry: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
    market: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
    ledger: '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9',
  },
  deployer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
};

describe('deployment file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-deployment-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips', () => {
    const file = path.join(dir, 'nested', 'deployment.json');
    writeDeployment(file, sample);
    expect(readDeployment(file)).toEqual(sample);
  });

  it('names the file and the bad field', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...sample, contracts: { ...sample.contracts, market: '0xNOPE' } }));
    expect(() => readDeployment(file)).toThrow(DeploymentFileError);
    expect(() => readDeployment(file)).toThrow(`${file}: invalid field "contracts.market"`);
  });

  it('rejects checksummed addresses (addresses are lowercase everywhere) and missing or broken files', () => {
    const file = path.join(dir, 'mixed.json');
    fs.writeFileSync(file, JSON.stringify({ ...sample, deployer: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' }));
    expect(() => readDeployment(file)).toThrow('invalid field "deployer"');
    expect(() => readDeployment(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{');
    expect(() => readDeployment(path.join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
  });
});
