import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Subnet} from "./subnet.model"

@Index_(["subnet", "uid"], {unique: true})
@Entity_()
export class Neuron {
    constructor(props?: Partial<Neuron>) {
        Object.assign(this, props)
    }

    /**
     * netuid-uid
     */
    @PrimaryColumn_()
    id!: string

    @ManyToOne_(() => Subnet, {nullable: true})
    subnet!: Subnet

    @Index_()
    @IntColumn_({nullable: false})
    netuid!: number

    @IntColumn_({nullable: false})
    uid!: number

    @Index_()
    @StringColumn_({nullable: false})
    hotkey!: string

    @Index_()
    @StringColumn_({nullable: false})
    coldkey!: string

    /**
     * total stake on this hotkey in this subnet, from every coldkey
     */
    @BigIntColumn_({nullable: false})
    stake!: bigint

    @IntColumn_({nullable: false})
    registeredAtBlock!: number

    @DateTimeColumn_({nullable: false})
    registeredAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
