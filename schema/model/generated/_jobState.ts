export enum JobState {
    POSTED = "POSTED",
    CLAIMED = "CLAIMED",
    COMPLETED = "COMPLETED",
}
