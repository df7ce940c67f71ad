// manifest.json of a registered model: what its input columns mean and in which order, and what
// its output means. Validated with zod; cross-field rules (every input documented and normalised, a
// trained model's training data range and metrics present) are checked here too, so a loaded manifest
// can be trusted by the rest of the service.
import { z } from 'zod';

const featureName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'feature names are snake_case');
const tensorName = z.string().min(1);

/** createdBy of the project's training script (inference/training/train.ts writes it). */
export const TRAINED_BY = 'inference/training/main.ts (npm run train)';

const block = z.number().int().nonnegative();

/** What a trained model was fitted on: where the rows came from and which blocks they span. */
export const TrainingSchema = z
  .object({
    source: z.string().min(1),
    dataRange: z
      .object({ fromBlock: block, toBlock: block, splitBlock: block.optional() })
      .refine((r) => r.fromBlock <= r.toBlock, 'fromBlock must not be after toBlock')
      .refine(
        (r) => r.splitBlock === undefined || (r.splitBlock >= r.fromBlock && r.splitBlock <= r.toBlock),
        'splitBlock must lie within fromBlock..toBlock',
      ),
  })
  .loose();

const unit = z.number().min(0).max(1);
/** One split's figures; AUC may be null where a split lacked one of the labels. */
const SplitMetricsSchema = z.object({ examples: z.number().int().positive(), auc: unit.nullable(), brier: unit, ece: unit }).loose();

/** How well it did: the held-out split is required (`test`), others (`train`, `baseline`) optional. */
export const TrainingMetricsSchema = z.object({ test: SplitMetricsSchema }).catchall(SplitMetricsSchema);

/**
 * Published parameters (reputation formulas are public), free-form except what says how a model was
 * trained: `training` (source and data range) and `metrics` (held-out at least).
 */
const ParametersSchema = z.object({ training: TrainingSchema.optional(), metrics: TrainingMetricsSchema.optional() }).catchall(z.unknown());

export const ModelManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'model names are lowercase words joined by -'),
    version: z.number().int().positive(),
    /** Name of the single float32 [N, inputs.length] input tensor. */
    inputTensor: tensorName,
    /** Feature names in input column order. */
    inputs: z.array(featureName).min(1),
    features: z.record(featureName, z.object({ description: z.string().min(1) })),
    /** The normalisation the graph applies itself (documentation of the graph, not applied again). */
    normalisation: z.record(featureName, z.object({ mean: z.number(), std: z.number().positive() })),
    output: z.object({ name: tensorName, meaning: z.string().min(1) }),
    /** Optional published parameters; `training` and `metrics` are required of a trained model (below). */
    parameters: ParametersSchema.optional(),
    createdBy: z.string().min(1),
    notes: z.string(),
  })
  .superRefine((m, ctx) => {
    // A model says it was trained when it names the training script as its maker or publishes any of
    // what training records; then it must publish both: the data it was fitted on and how it did.
    const p = m.parameters;
    const claims = [
      m.createdBy === TRAINED_BY ? `createdBy is "${TRAINED_BY}"` : null,
      p?.training !== undefined ? 'it has parameters.training' : null,
      p?.metrics !== undefined ? 'it has parameters.metrics' : null,
    ].filter((c) => c !== null);
    if (claims.length > 0) {
      const why = `a trained model (${claims.join(', ')}) must record`;
      if (p?.training === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', 'training'],
          message: `${why} its training data: { source, dataRange: { fromBlock, toBlock, splitBlock? } }`,
        });
      }
      if (p?.metrics === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', 'metrics'],
          message: `${why} its metrics: { test: { examples, auc, brier, ece }, train?, baseline? }`,
        });
      }
    }
    const seen = new Set<string>();
    for (const name of m.inputs) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['inputs'], message: `duplicate input "${name}"` });
      seen.add(name);
      if (!m.features[name]) ctx.addIssue({ code: 'custom', path: ['features'], message: `input "${name}" is not documented` });
      if (!m.normalisation[name])
        ctx.addIssue({ code: 'custom', path: ['normalisation'], message: `input "${name}" has no normalisation` });
    }
  });

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** Parses manifest JSON text; returns the manifest or a one-line reason. */
export function safeParseManifest(text: string): { ok: true; manifest: ModelManifest } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  return checkManifest(json);
}

/** Validates a manifest object; returns it or a one-line reason naming each bad field. */
export function checkManifest(json: unknown): { ok: true; manifest: ModelManifest } | { ok: false; reason: string } {
  const parsed = ModelManifestSchema.safeParse(json);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, reason };
}
