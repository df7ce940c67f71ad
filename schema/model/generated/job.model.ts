import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Market} from "./market.model"
import {Provider} from "./provider.model"
import {JobState} from "./_jobState"
import {JobEvent} from "./jobEvent.model"

@Entity_()
export class Job {
    constructor(props?: Partial<Job>) {
        Object.assign(this, props)
    }

    /**
     * job id as a decimal string
     */
    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    jobId!: number

    @Index_()
    @ManyToOne_(() => Market, {nullable: true})
    market!: Market

    @Index_()
    @StringColumn_({nullable: false})
    sender!: string

    @Index_()
    @ManyToOne_(() => Provider, {nullable: true})
    provider!: Provider | undefined | null

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    state!: JobState

    @StringColumn_({nullable: false})
    specHash!: string

    /**
     * thousandths of a work unit
     */
    @BigIntColumn_({nullable: false})
    workEstimate!: bigint

    /**
     * token escrowed
     */
    @Index_()
    @BigIntColumn_({nullable: false})
    payment!: bigint

    @DateTimeColumn_({nullable: false})
    deadline!: Date

    @StringColumn_({nullable: true})
    resultHash!: string | undefined | null

    @BigIntColumn_({nullable: true})
    workUnits!: bigint | undefined | null

    @Index_()
    @IntColumn_({nullable: false})
    postedAtBlock!: number

    @DateTimeColumn_({nullable: false})
    postedAt!: Date

    @IntColumn_({nullable: true})
    claimedAtBlock!: number | undefined | null

    @IntColumn_({nullable: true})
    completedAtBlock!: number | undefined | null

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @OneToMany_(() => JobEvent, e => e.job)
    events!: JobEvent[]
}
