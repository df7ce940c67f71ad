export { createSimulator } from './simulator';
export type { CreateSimulatorParameters, RunParameters, Simulator, SimulatorProgress } from './simulator';
export { presets, PRESET_NAMES } from './presets';
export type { PresetName, SimPreset } from './presets';
export { createRng, deriveSeed } from './prng';
export type { Rng } from './prng';
export { JobKind, JobState, quotePayment } from './model';
export type { Action, SimModel } from './model';
