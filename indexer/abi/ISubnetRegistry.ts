import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    NeuronRegistered: event("0x19e8f2f53c741d43296d4824b176d31fcce3f745658941fa74ad998654858815", "NeuronRegistered(uint16,uint16,address,address)", {"netuid": indexed(p.uint16), "uid": indexed(p.uint16), "hotkey": indexed(p.address), "coldkey": p.address}),
    StakeAdded: event("0xc186e984936cf877ae219421019596484d5f3c6b416640bf6ade00d13f1ed1e7", "StakeAdded(address,address,uint16,uint256,uint256,uint256,uint256)", {"coldkey": indexed(p.address), "hotkey": indexed(p.address), "netuid": indexed(p.uint16), "amount": p.uint256, "newStake": p.uint256, "hotkeyStake": p.uint256, "subnetStake": p.uint256}),
    StakeRemoved: event("0xf13549b2bbcfe2e029695cb80be1c3fd7a1ed6967c58a98014354d62cbeb2828", "StakeRemoved(address,address,uint16,uint256,uint256,uint256,uint256)", {"coldkey": indexed(p.address), "hotkey": indexed(p.address), "netuid": indexed(p.uint16), "amount": p.uint256, "newStake": p.uint256, "hotkeyStake": p.uint256, "subnetStake": p.uint256}),
    SubnetRegistered: event("0x05a10d822767e56fdec651c67c23362a98e82ca21c36714a5c13fde2877a22ac", "SubnetRegistered(uint16,address,string,uint16,uint256)", {"netuid": indexed(p.uint16), "owner": indexed(p.address), "name": p.string, "tempo": p.uint16, "registrationCost": p.uint256}),
}

export const functions = {
    hotkeyStake: viewFun("0x806e4f08", "hotkeyStake(uint16,address)", {"netuid": p.uint16, "hotkey": p.address}, p.uint256),
    neuronCount: viewFun("0xe793e086", "neuronCount(uint16)", {"netuid": p.uint16}, p.uint16),
    stakeOf: viewFun("0xedcac418", "stakeOf(address,address,uint16)", {"coldkey": p.address, "hotkey": p.address, "netuid": p.uint16}, p.uint256),
    subnetCount: viewFun("0x916a5c5b", "subnetCount()", {}, p.uint16),
    subnetStake: viewFun("0xb5390bf1", "subnetStake(uint16)", {"netuid": p.uint16}, p.uint256),
    totalStake: viewFun("0x8b0e9f3f", "totalStake()", {}, p.uint256),
}

export class Contract extends ContractBase {

    hotkeyStake(netuid: HotkeyStakeParams["netuid"], hotkey: HotkeyStakeParams["hotkey"]) {
        return this.eth_call(functions.hotkeyStake, {netuid, hotkey})
    }

    neuronCount(netuid: NeuronCountParams["netuid"]) {
        return this.eth_call(functions.neuronCount, {netuid})
    }

    stakeOf(coldkey: StakeOfParams["coldkey"], hotkey: StakeOfParams["hotkey"], netuid: StakeOfParams["netuid"]) {
        return this.eth_call(functions.stakeOf, {coldkey, hotkey, netuid})
    }

    subnetCount() {
        return this.eth_call(functions.subnetCount, {})
    }

    subnetStake(netuid: SubnetStakeParams["netuid"]) {
        return this.eth_call(functions.subnetStake, {netuid})
    }

    totalStake() {
        return this.eth_call(functions.totalStake, {})
    }
}

/// Event types
export type NeuronRegisteredEventArgs = EParams<typeof events.NeuronRegistered>
export type StakeAddedEventArgs = EParams<typeof events.StakeAdded>
export type StakeRemovedEventArgs = EParams<typeof events.StakeRemoved>
export type SubnetRegisteredEventArgs = EParams<typeof events.SubnetRegistered>

/// Function types
export type HotkeyStakeParams = FunctionArguments<typeof functions.hotkeyStake>
export type HotkeyStakeReturn = FunctionReturn<typeof functions.hotkeyStake>

export type NeuronCountParams = FunctionArguments<typeof functions.neuronCount>
export type NeuronCountReturn = FunctionReturn<typeof functions.neuronCount>

export type StakeOfParams = FunctionArguments<typeof functions.stakeOf>
export type StakeOfReturn = FunctionReturn<typeof functions.stakeOf>

export type SubnetCountParams = FunctionArguments<typeof functions.subnetCount>
export type SubnetCountReturn = FunctionReturn<typeof functions.subnetCount>

export type SubnetStakeParams = FunctionArguments<typeof functions.subnetStake>
export type SubnetStakeReturn = FunctionReturn<typeof functions.subnetStake>

export type TotalStakeParams = FunctionArguments<typeof functions.totalStake>
export type TotalStakeReturn = FunctionReturn<typeof functions.totalStake>

