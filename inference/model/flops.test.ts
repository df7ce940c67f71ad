import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MODEL_DIR } from '../paths';
import { buildLogisticOnnx } from './build-onnx';
import { countFlopsPerRow } from './flops';

describe('countFlopsPerRow', () => {
  it('counts the committed logistic model: Sub 6, Div 6, MatMul 2·6·1, Add 1, Sigmoid 4', () => {
    const count = countFlopsPerRow(readFileSync(path.join(DEFAULT_MODEL_DIR, 'provider-reputation', '1', 'model.onnx')));
    expect(count.nodes.map((n) => [n.op, n.flops])).toEqual([
      ['Sub', 6],
      ['Div', 6],
      ['MatMul', 12],
      ['Add', 1],
      ['Sigmoid', 4],
    ]);
    expect(count.perRow).toBe(29);
  });

  it('scales with the input width', () => {
    const width = 40;
    const ones = Array.from({ length: width }, () => 1);
    const bytes = buildLogisticOnnx({ mean: ones, std: ones, weights: ones, bias: 0 }, { inputName: 'x', outputName: 'y' });
    // Sub + Div: 2·40, MatMul 2·40, Add 1, Sigmoid 4.
    expect(countFlopsPerRow(bytes).perRow).toBe(4 * width + 5);
  });
});
