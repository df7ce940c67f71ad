export type { Action, SimModel } from './model';
export { JobKind, JobState, quotePayment } from './model';
export type { PresetName, SimPreset } from './presets';
export { PRESET_NAMES, presets } from './presets';
export type { Rng } from './prng';
export { createRng, deriveSeed } from './prng';
export type { CreateSimulatorParameters, KindStats, RunParameters, Simulator, SimulatorProgress } from './simulator';
export { createSimulator } from './simulator';
