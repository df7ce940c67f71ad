import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, StringColumn as StringColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Job} from "./job.model"
import {JobEventKind} from "./_jobEventKind"

@Entity_()
export class JobEvent {
    constructor(props?: Partial<JobEvent>) {
        Object.assign(this, props)
    }

    /**
     * the log id
     */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Job, {nullable: true})
    job!: Job

    @Column_("varchar", {length: 9, nullable: false})
    kind!: JobEventKind

    @StringColumn_({nullable: false})
    actor!: string

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @DateTimeColumn_({nullable: false})
    timestamp!: Date

    @StringColumn_({nullable: false})
    txHash!: string
}
