// manifest.json of a registered model: what its input columns mean and in which order, and what
// its output means. Validated with zod; cross-field rules (every input documented and normalised)
// are checked here too, so a loaded manifest can be trusted by the rest of the service.
import { z } from 'zod';

const featureName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'feature names are snake_case');
const tensorName = z.string().min(1);

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
    /** Optional published parameters (reputation formulas are public). */
    parameters: z.record(z.string(), z.unknown()).optional(),
    createdBy: z.string().min(1),
    notes: z.string(),
  })
  .superRefine((m, ctx) => {
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
  const parsed = ModelManifestSchema.safeParse(json);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, reason };
}
