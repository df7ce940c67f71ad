// Writes a logistic-regression ONNX graph with onnx-proto (a devDependency: only the build script
// and tests import this file, never the service). Deterministic: no timestamps, fixed field order,
// so the same parameters always give the same bytes.
import { onnx } from 'onnx-proto';
import type { LogisticParameters } from './logistic';

export interface LogisticGraphOptions {
  inputName: string;
  outputName: string;
  /** Stored as the model's doc string. */
  doc?: string;
  modelVersion?: number;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function tensor(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: [...values] };
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** sigmoid(((x - mean) / std) · W + b) as an ONNX ModelProto, x: float32 [N, width], out: [N, 1]. */
export function buildLogisticOnnx(params: LogisticParameters, opts: LogisticGraphOptions): Uint8Array {
  const width = params.weights.length;
  const x = opts.inputName;
  const graph: onnx.IGraphProto = {
    name: 'logistic_regression',
    input: [valueInfo(x, ['N', width])],
    output: [valueInfo(opts.outputName, ['N', 1])],
    initializer: [
      tensor('mean', [width], params.mean),
      tensor('std', [width], params.std),
      tensor('W', [width, 1], params.weights),
      tensor('b', [1], [params.bias]),
    ],
    node: [
      { opType: 'Sub', input: [x, 'mean'], output: ['centered'], name: 'sub_mean' },
      { opType: 'Div', input: ['centered', 'std'], output: ['z'], name: 'div_std' },
      { opType: 'MatMul', input: ['z', 'W'], output: ['zw'], name: 'matmul_w' },
      { opType: 'Add', input: ['zw', 'b'], output: ['logit'], name: 'add_b' },
      { opType: 'Sigmoid', input: ['logit'], output: [opts.outputName], name: 'sigmoid' },
    ],
  };
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'gridmind',
    producerVersion: '1',
    modelVersion: opts.modelVersion ?? 1,
    docString: opts.doc ?? '',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
