import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {StakeEventKind} from "./_stakeEventKind"

@Entity_()
export class StakeEvent {
    constructor(props?: Partial<StakeEvent>) {
        Object.assign(this, props)
    }

    /**
     * the log id
     */
    @PrimaryColumn_()
    id!: string

    @Column_("varchar", {length: 6, nullable: false})
    kind!: StakeEventKind

    @Index_()
    @StringColumn_({nullable: false})
    coldkey!: string

    @Index_()
    @StringColumn_({nullable: false})
    hotkey!: string

    @Index_()
    @IntColumn_({nullable: false})
    netuid!: number

    @BigIntColumn_({nullable: false})
    amount!: bigint

    /**
     * the position after the change
     */
    @BigIntColumn_({nullable: false})
    newAmount!: bigint

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @DateTimeColumn_({nullable: false})
    timestamp!: Date

    @StringColumn_({nullable: false})
    txHash!: string
}
