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
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    MARKET_ADMIN_ROLE: viewFun("0xd6f0d39f", "MARKET_ADMIN_ROLE()", {}, p.bytes32),
    MAX_TIER: viewFun("0xaf3a19c7", "MAX_TIER()", {}, p.uint8),
    MIN_TIER: viewFun("0x1c0906db", "MIN_TIER()", {}, p.uint8),
    ORACLE_ROLE: viewFun("0x07e2cea5", "ORACLE_ROLE()", {}, p.bytes32),
    PAYMENT_SCALE: viewFun("0x0eed600a", "PAYMENT_SCALE()", {}, p.uint256),
    claimJob: fun("0xe3e4b9fb", "claimJob(uint256)", {"jobId": p.uint256}, ),
    completeJob: fun("0x5ccfd18c", "completeJob(uint256,bytes32,uint256)", {"jobId": p.uint256, "resultHash": p.bytes32, "workUnits": p.uint256}, ),
    createMarket: fun("0xf6ab6faa", "createMarket(uint8,uint8,string,uint256)", {"kind": p.uint8, "tier": p.uint8, "name": p.string, "usdPerUnit": p.uint256}, p.uint32),
    escrowed: viewFun("0x01522b1e", "escrowed()", {}, p.uint256),
    getJob: viewFun("0xbf22c457", "getJob(uint256)", {"jobId": p.uint256}, p.struct({"marketId": p.uint32, "state": p.uint8, "deadline": p.uint64, "sender": p.address, "provider": p.address, "specHash": p.bytes32, "resultHash": p.bytes32, "workEstimate": p.uint256, "workUnits": p.uint256, "payment": p.uint256})),
    getMarket: viewFun("0xc2c79dec", "getMarket(uint32)", {"marketId": p.uint32}, p.struct({"kind": p.uint8, "tier": p.uint8, "usdPerUnit": p.uint256, "name": p.string})),
    getProvider: viewFun("0x55f21eb7", "getProvider(address)", {"provider": p.address}, p.struct({"registered": p.bool, "tier": p.uint8, "vramGb": p.uint32, "benchmarkScore": p.uint32, "registeredAtBlock": p.uint64, "gpuModel": p.string})),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    isTrustedForwarder: viewFun("0x572b6c05", "isTrustedForwarder(address)", {"forwarder": p.address}, p.bool),
    jobCount: viewFun("0x4c5d8a0f", "jobCount()", {}, p.uint256),
    jobsInState: viewFun("0xa2f14c8f", "jobsInState(uint8)", {"state": p.uint8}, p.uint256),
    marketCount: viewFun("0xec979082", "marketCount()", {}, p.uint32),
    postJob: fun("0xe3590749", "postJob(uint32,bytes32,uint256,uint64)", {"marketId": p.uint32, "specHash": p.bytes32, "workEstimate": p.uint256, "deadline": p.uint64}, p.uint256),
    providerCount: viewFun("0x74c83268", "providerCount()", {}, p.uint32),
    quotePayment: viewFun("0xcf1b5cef", "quotePayment(uint32,uint256)", {"marketId": p.uint32, "workEstimate": p.uint256}, p.uint256),
    registerProvider: fun("0x163fcc45", "registerProvider(string,uint32,uint32,uint8)", {"gpuModel": p.string, "vramGb": p.uint32, "benchmarkScore": p.uint32, "tier": p.uint8}, ),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    setOraclePrice: fun("0xc65cd86d", "setOraclePrice(uint256)", {"usdPerToken_": p.uint256}, ),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    token: viewFun("0xfc0c546a", "token()", {}, p.address),
    trustedForwarder: viewFun("0x7da0a877", "trustedForwarder()", {}, p.address),
    usdPerToken: viewFun("0x1321e098", "usdPerToken()", {}, p.uint256),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    MARKET_ADMIN_ROLE() {
        return this.eth_call(functions.MARKET_ADMIN_ROLE, {})
    }

    MAX_TIER() {
        return this.eth_call(functions.MAX_TIER, {})
    }

    MIN_TIER() {
        return this.eth_call(functions.MIN_TIER, {})
    }

    ORACLE_ROLE() {
        return this.eth_call(functions.ORACLE_ROLE, {})
    }

    PAYMENT_SCALE() {
        return this.eth_call(functions.PAYMENT_SCALE, {})
    }

    escrowed() {
        return this.eth_call(functions.escrowed, {})
    }

    getJob(jobId: GetJobParams["jobId"]) {
        return this.eth_call(functions.getJob, {jobId})
    }

    getMarket(marketId: GetMarketParams["marketId"]) {
        return this.eth_call(functions.getMarket, {marketId})
    }

    getProvider(provider: GetProviderParams["provider"]) {
        return this.eth_call(functions.getProvider, {provider})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    isTrustedForwarder(forwarder: IsTrustedForwarderParams["forwarder"]) {
        return this.eth_call(functions.isTrustedForwarder, {forwarder})
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

    quotePayment(marketId: QuotePaymentParams["marketId"], workEstimate: QuotePaymentParams["workEstimate"]) {
        return this.eth_call(functions.quotePayment, {marketId, workEstimate})
    }

    supportsInterface(interfaceId: SupportsInterfaceParams["interfaceId"]) {
        return this.eth_call(functions.supportsInterface, {interfaceId})
    }

    token() {
        return this.eth_call(functions.token, {})
    }

    trustedForwarder() {
        return this.eth_call(functions.trustedForwarder, {})
    }

    usdPerToken() {
        return this.eth_call(functions.usdPerToken, {})
    }
}

/// Event types
export type JobClaimedEventArgs = EParams<typeof events.JobClaimed>
export type JobCompletedEventArgs = EParams<typeof events.JobCompleted>
export type JobPostedEventArgs = EParams<typeof events.JobPosted>
export type MarketCreatedEventArgs = EParams<typeof events.MarketCreated>
export type OraclePriceSetEventArgs = EParams<typeof events.OraclePriceSet>
export type ProviderRegisteredEventArgs = EParams<typeof events.ProviderRegistered>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type MARKET_ADMIN_ROLEParams = FunctionArguments<typeof functions.MARKET_ADMIN_ROLE>
export type MARKET_ADMIN_ROLEReturn = FunctionReturn<typeof functions.MARKET_ADMIN_ROLE>

export type MAX_TIERParams = FunctionArguments<typeof functions.MAX_TIER>
export type MAX_TIERReturn = FunctionReturn<typeof functions.MAX_TIER>

export type MIN_TIERParams = FunctionArguments<typeof functions.MIN_TIER>
export type MIN_TIERReturn = FunctionReturn<typeof functions.MIN_TIER>

export type ORACLE_ROLEParams = FunctionArguments<typeof functions.ORACLE_ROLE>
export type ORACLE_ROLEReturn = FunctionReturn<typeof functions.ORACLE_ROLE>

export type PAYMENT_SCALEParams = FunctionArguments<typeof functions.PAYMENT_SCALE>
export type PAYMENT_SCALEReturn = FunctionReturn<typeof functions.PAYMENT_SCALE>

export type ClaimJobParams = FunctionArguments<typeof functions.claimJob>
export type ClaimJobReturn = FunctionReturn<typeof functions.claimJob>

export type CompleteJobParams = FunctionArguments<typeof functions.completeJob>
export type CompleteJobReturn = FunctionReturn<typeof functions.completeJob>

export type CreateMarketParams = FunctionArguments<typeof functions.createMarket>
export type CreateMarketReturn = FunctionReturn<typeof functions.createMarket>

export type EscrowedParams = FunctionArguments<typeof functions.escrowed>
export type EscrowedReturn = FunctionReturn<typeof functions.escrowed>

export type GetJobParams = FunctionArguments<typeof functions.getJob>
export type GetJobReturn = FunctionReturn<typeof functions.getJob>

export type GetMarketParams = FunctionArguments<typeof functions.getMarket>
export type GetMarketReturn = FunctionReturn<typeof functions.getMarket>

export type GetProviderParams = FunctionArguments<typeof functions.getProvider>
export type GetProviderReturn = FunctionReturn<typeof functions.getProvider>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type IsTrustedForwarderParams = FunctionArguments<typeof functions.isTrustedForwarder>
export type IsTrustedForwarderReturn = FunctionReturn<typeof functions.isTrustedForwarder>

export type JobCountParams = FunctionArguments<typeof functions.jobCount>
export type JobCountReturn = FunctionReturn<typeof functions.jobCount>

export type JobsInStateParams = FunctionArguments<typeof functions.jobsInState>
export type JobsInStateReturn = FunctionReturn<typeof functions.jobsInState>

export type MarketCountParams = FunctionArguments<typeof functions.marketCount>
export type MarketCountReturn = FunctionReturn<typeof functions.marketCount>

export type PostJobParams = FunctionArguments<typeof functions.postJob>
export type PostJobReturn = FunctionReturn<typeof functions.postJob>

export type ProviderCountParams = FunctionArguments<typeof functions.providerCount>
export type ProviderCountReturn = FunctionReturn<typeof functions.providerCount>

export type QuotePaymentParams = FunctionArguments<typeof functions.quotePayment>
export type QuotePaymentReturn = FunctionReturn<typeof functions.quotePayment>

export type RegisterProviderParams = FunctionArguments<typeof functions.registerProvider>
export type RegisterProviderReturn = FunctionReturn<typeof functions.registerProvider>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type SetOraclePriceParams = FunctionArguments<typeof functions.setOraclePrice>
export type SetOraclePriceReturn = FunctionReturn<typeof functions.setOraclePrice>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type TokenParams = FunctionArguments<typeof functions.token>
export type TokenReturn = FunctionReturn<typeof functions.token>

export type TrustedForwarderParams = FunctionArguments<typeof functions.trustedForwarder>
export type TrustedForwarderReturn = FunctionReturn<typeof functions.trustedForwarder>

export type UsdPerTokenParams = FunctionArguments<typeof functions.usdPerToken>
export type UsdPerTokenReturn = FunctionReturn<typeof functions.usdPerToken>

