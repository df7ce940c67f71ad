import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"

@Entity_()
export class Provider {
    constructor(props?: Partial<Provider>) {
        Object.assign(this, props)
    }

    /**
     * the provider's address
     */
    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @StringColumn_({nullable: false})
    address!: string

    @StringColumn_({nullable: false})
    gpuModel!: string

    @IntColumn_({nullable: false})
    vramGb!: number

    @IntColumn_({nullable: false})
    benchmarkScore!: number

    @Index_()
    @IntColumn_({nullable: false})
    tier!: number

    @IntColumn_({nullable: false})
    jobsClaimed!: number

    @IntColumn_({nullable: false})
    jobsCompleted!: number

    /**
     * thousandths of a work unit
     */
    @BigIntColumn_({nullable: false})
    workUnits!: bigint

    @Index_()
    @IntColumn_({nullable: false})
    registeredAtBlock!: number

    @DateTimeColumn_({nullable: false})
    registeredAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
