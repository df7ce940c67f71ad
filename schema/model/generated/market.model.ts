import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {MarketKind} from "./_marketKind"

@Entity_()
export class Market {
    constructor(props?: Partial<Market>) {
        Object.assign(this, props)
    }

    /**
     * market id as a decimal string
     */
    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    marketId!: number

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    kind!: MarketKind

    @IntColumn_({nullable: false})
    tier!: number

    @StringColumn_({nullable: false})
    name!: string

    /**
     * USD per work unit, 8 decimals
     */
    @BigIntColumn_({nullable: false})
    usdPerUnit!: bigint

    @IntColumn_({nullable: false})
    jobCount!: number

    @IntColumn_({nullable: false})
    openJobCount!: number

    /**
     * token escrowed by every job posted to this market
     */
    @BigIntColumn_({nullable: false})
    volume!: bigint

    @IntColumn_({nullable: false})
    createdAtBlock!: number

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
