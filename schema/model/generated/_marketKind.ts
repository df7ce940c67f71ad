export enum MarketKind {
    RENDER = "RENDER",
    INFERENCE = "INFERENCE",
    TRAINING = "TRAINING",
}
