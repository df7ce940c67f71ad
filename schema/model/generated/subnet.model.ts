import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Neuron} from "./neuron.model"

@Entity_()
export class Subnet {
    constructor(props?: Partial<Subnet>) {
        Object.assign(this, props)
    }

    /**
     * netuid as a decimal string
     */
    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    netuid!: number

    @StringColumn_({nullable: false})
    name!: string

    @Index_()
    @StringColumn_({nullable: false})
    owner!: string

    @IntColumn_({nullable: false})
    tempo!: number

    @BigIntColumn_({nullable: false})
    registrationCost!: bigint

    @IntColumn_({nullable: false})
    neuronCount!: number

    @BigIntColumn_({nullable: false})
    totalStake!: bigint

    @IntColumn_({nullable: false})
    createdAtBlock!: number

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @OneToMany_(() => Neuron, e => e.subnet)
    neurons!: Neuron[]
}
