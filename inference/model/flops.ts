// Arithmetic per row of an ONNX graph, counted from the graph itself, so benchmark figures can be set
// against the machine's bound. Conventions (those of the issue): MatMul/Gemm 2·in·out (a multiply and
// an add per weight), element-wise Add/Sub/Mul/Div/Relu/... 1 per output element, Sigmoid/Tanh ~4
// (exp, add, divide, and the negation). Only the per-row (batch) dimension is followed: initializers
// are constants and cost nothing until combined with a row. Reads the graph with onnx-proto, a
// devDependency: for the benchmark and tests, not the service.
import { onnx } from 'onnx-proto';

export interface FlopCount {
  /** Floating-point operations per input row. */
  perRow: number;
  /** Per node, in graph order: op type, output name, FLOPs per row. */
  nodes: { op: string; output: string; flops: number }[];
}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Relu', 'Max', 'Min', 'Abs', 'Neg', 'Clip', 'LeakyRelu']);
const TRANSCENDENTAL: Record<string, number> = { Sigmoid: 4, Tanh: 4, Exp: 1, Log: 1, Softplus: 4 };
/** Ops that move data without arithmetic. */
const FREE = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Cast']);

/** Counts FLOPs per row of a model whose single input is [N, k]; throws on an op it cannot count. */
export function countFlopsPerRow(modelBytes: Uint8Array): FlopCount {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const constShape = new Map<string, number[]>();
  for (const t of graph.initializer ?? []) constShape.set(t.name ?? '', (t.dims ?? []).map(Number));
  /** Values per row of each batch-carrying tensor. */
  const perRow = new Map<string, number>();
  for (const input of graph.input ?? []) {
    if (constShape.has(input.name ?? '')) continue;
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const rowDims = dims.slice(1).map((d) => Number(d.dimValue ?? 1));
    perRow.set(
      input.name ?? '',
      rowDims.reduce((a, b) => a * b, 1),
    );
  }
  const nodes: FlopCount['nodes'] = [];
  let total = 0;
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const inputs = node.input ?? [];
    const output = node.output?.[0] ?? '';
    const rowIn = inputs.map((i) => perRow.get(i));
    const carried = rowIn.filter((v): v is number => v !== undefined);
    if (carried.length === 0) continue; // constant folding: no per-row cost
    let out: number;
    let flops: number;
    if (op === 'MatMul' || op === 'Gemm') {
      const w = constShape.get(inputs[1] ?? '');
      if (w?.length !== 2) throw new Error(`${op} ${node.name}: expected a constant 2-D weight`);
      const [k, m] = op === 'Gemm' && hasAttr(node, 'transB', 1) ? [w[1]!, w[0]!] : [w[0]!, w[1]!];
      out = m;
      flops = 2 * k * m + (op === 'Gemm' && inputs[2] ? m : 0);
    } else if (ELEMENTWISE.has(op)) {
      out = Math.max(...carried);
      flops = out;
    } else if (op in TRANSCENDENTAL) {
      out = carried[0]!;
      flops = (TRANSCENDENTAL[op] as number) * out;
    } else if (FREE.has(op)) {
      out = carried[0]!;
      flops = 0;
    } else {
      throw new Error(`cannot count FLOPs of op ${op}`);
    }
    for (const o of node.output ?? []) perRow.set(o, out);
    nodes.push({ op, output, flops });
    total += flops;
  }
  return { perRow: total, nodes };
}

function hasAttr(node: onnx.INodeProto, name: string, value: number): boolean {
  return (node.attribute ?? []).some((a) => a.name === name && Number(a.i ?? 0) === value);
}
