export enum JobEventKind {
    POSTED = "POSTED",
    CLAIMED = "CLAIMED",
    COMPLETED = "COMPLETED",
}
