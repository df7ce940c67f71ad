import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    JobClaimed: event("0xba70defbfa7d3f9e9b6dc1f54957246fe91ba0a9e2a22af5d57d760d91c5bbfe", "JobClaimed(uint256,address)", {"jobId": indexed(p.uint256), "provider": indexed(p.address)}),
    JobCompleted: event("0x1c685ee7e711a88323fdd6a1178cd7a726bc95b95c1418f3a6e1b09cce091392", "JobCompleted(uint256,address,bytes32,uint256)", {"jobId": indexed(p.uint256), "provider": indexed(p.address), "resultHash": p.bytes32, "workUnits": p.uint256}),
    JobPosted: event("0x0fa55422cf115386e89bf95a227384b6eaf2cbc13dbdd957ff56367da94d7cb1", "JobPosted(uint256,uint32,address,bytes32,uint256,uint256,uint64)", {"jobId": indexed(p.uint256), "marketId": indexed(p.uint32), "sender": indexed(p.address), "specHash": p.bytes32, "workEstimate": p.uint256, "payment": p.uint256, "deadline": p.uint64}),
    MarketCreated: event("0xd8ea0cba5151b1acd58812d07daca8b9d2b5af9f28df7208059d985d51704bda", "MarketCreated(uint32,uint8,uint8,string,uint256)", {"marketId": indexed(p.uint32), "kind": p.uint8, "tier": p.uint8, "name": p.string, "usdPerUnit": p.uint256}),
    OraclePriceSet: event("0x93ccbaef2ffbf55f79991ef2276fa4a961f5b33ab2b8fd1119e6ce8348d743e2", "OraclePriceSet(uint256)", {"usdPerToken": p.uint256}),
    ProviderRegistered: event("0x0abde2f7c438396266c8c848383036fabdadf90d8c152ceccbb6f64864a5a573", "ProviderRegistered(address,string,uint32,uint32,uint8)", {"provider": indexed(p.address), "gpuModel": p.string, "vramGb": p.uint32, "benchmarkScore": p.uint32, "tier": p.uint8}),
}

export const functions = {
    escrowed: viewFun("0x01522b1e", "escrowed()", {}, p.uint256),
    jobCount: viewFun("0x4c5d8a0f", "jobCount()", {}, p.uint256),
    jobsInState: viewFun("0xa2f14c8f", "jobsInState(uint8)", {"state": p.uint8}, p.uint256),
    marketCount: viewFun("0xec979082", "marketCount()", {}, p.uint32),
    providerCount: viewFun("0x74c83268", "providerCount()", {}, p.uint32),
}

export class Contract extends ContractBase {

    escrowed() {
        return this.eth_call(functions.escrowed, {})
    }

    jobCount() {
        return this.eth_call(functions.jobCount, {})
    }

    jobsInState(state: JobsInStateParams["state"]) {
        return this.eth_call(functions.jobsInState, {state})
    }

    marketCount() {
        return this.eth_call(functions.marketCount, {})
    }

    providerCount() {
        return this.eth_call(functions.providerCount, {})
    }
}

/// Event types
export type JobClaimedEventArgs = EParams<typeof events.JobClaimed>
export type JobCompletedEventArgs = EParams<typeof events.JobCompleted>
export type JobPostedEventArgs = EParams<typeof events.JobPosted>
export type MarketCreatedEventArgs = EParams<typeof events.MarketCreated>
export type OraclePriceSetEventArgs = EParams<typeof events.OraclePriceSet>
export type ProviderRegisteredEventArgs = EParams<typeof events.ProviderRegistered>

/// Function types
export type EscrowedParams = FunctionArguments<typeof functions.escrowed>
export type EscrowedReturn = FunctionReturn<typeof functions.escrowed>

export type JobCountParams = FunctionArguments<typeof functions.jobCount>
export type JobCountReturn = FunctionReturn<typeof functions.jobCount>

export type JobsInStateParams = FunctionArguments<typeof functions.jobsInState>
export type JobsInStateReturn = FunctionReturn<typeof functions.jobsInState>

export type MarketCountParams = FunctionArguments<typeof functions.marketCount>
export type MarketCountReturn = FunctionReturn<typeof functions.marketCount>

export type ProviderCountParams = FunctionArguments<typeof functions.providerCount>
export type ProviderCountReturn = FunctionReturn<typeof functions.providerCount>

