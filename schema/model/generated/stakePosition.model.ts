import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, IntColumn as IntColumn_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Subnet} from "./subnet.model"

@Index_(["netuid", "hotkey"], {unique: false})
@Entity_()
export class StakePosition {
    constructor(props?: Partial<StakePosition>) {
        Object.assign(this, props)
    }

    /**
     * coldkey-hotkey-netuid
     */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    coldkey!: string

    @StringColumn_({nullable: false})
    hotkey!: string

    @IntColumn_({nullable: false})
    netuid!: number

    @Index_()
    @ManyToOne_(() => Subnet, {nullable: true})
    subnet!: Subnet

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date
}
