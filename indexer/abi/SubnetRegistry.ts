import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    NeuronRegistered: event("0x19e8f2f53c741d43296d4824b176d31fcce3f745658941fa74ad998654858815", "NeuronRegistered(uint16,uint16,address,address)", {"netuid": indexed(p.uint16), "uid": indexed(p.uint16), "hotkey": indexed(p.address), "coldkey": p.address}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    StakeAdded: event("0xc186e984936cf877ae219421019596484d5f3c6b416640bf6ade00d13f1ed1e7", "StakeAdded(address,address,uint16,uint256,uint256,uint256,uint256)", {"coldkey": indexed(p.address), "hotkey": indexed(p.address), "netuid": indexed(p.uint16), "amount": p.uint256, "newStake": p.uint256, "hotkeyStake": p.uint256, "subnetStake": p.uint256}),
    StakeRemoved: event("0xf13549b2bbcfe2e029695cb80be1c3fd7a1ed6967c58a98014354d62cbeb2828", "StakeRemoved(address,address,uint16,uint256,uint256,uint256,uint256)", {"coldkey": indexed(p.address), "hotkey": indexed(p.address), "netuid": indexed(p.uint16), "amount": p.uint256, "newStake": p.uint256, "hotkeyStake": p.uint256, "subnetStake": p.uint256}),
    SubnetRegistered: event("0x05a10d822767e56fdec651c67c23362a98e82ca21c36714a5c13fde2877a22ac", "SubnetRegistered(uint16,address,string,uint16,uint256)", {"netuid": indexed(p.uint16), "owner": indexed(p.address), "name": p.string, "tempo": p.uint16, "registrationCost": p.uint256}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    MAX_UIDS: viewFun("0x436e125e", "MAX_UIDS()", {}, p.uint16),
    addStake: fun("0x74bbc524", "addStake(address,uint16,uint256)", {"hotkey": p.address, "netuid": p.uint16, "amount": p.uint256}, ),
    defaultMaxUids: viewFun("0xe4e8c868", "defaultMaxUids()", {}, p.uint16),
    getNeuron: viewFun("0x16c827cf", "getNeuron(uint16,uint16)", {"netuid": p.uint16, "uid": p.uint16}, p.struct({"hotkey": p.address, "coldkey": p.address, "registeredAtBlock": p.uint64})),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    getSubnet: viewFun("0xf97ef96e", "getSubnet(uint16)", {"netuid": p.uint16}, p.struct({"owner": p.address, "tempo": p.uint16, "maxUids": p.uint16, "neuronCount": p.uint16, "registeredAtBlock": p.uint64, "name": p.string})),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    hotkeyOwner: viewFun("0x34d92d40", "hotkeyOwner(address)", {"hotkey": p.address}, p.address),
    hotkeyStake: viewFun("0x806e4f08", "hotkeyStake(uint16,address)", {"netuid": p.uint16, "hotkey": p.address}, p.uint256),
    isTrustedForwarder: viewFun("0x572b6c05", "isTrustedForwarder(address)", {"forwarder": p.address}, p.bool),
    neuronCount: viewFun("0xe793e086", "neuronCount(uint16)", {"netuid": p.uint16}, p.uint16),
    registerNeuron: fun("0x97a15aab", "registerNeuron(uint16,address)", {"netuid": p.uint16, "hotkey": p.address}, p.uint16),
    registerSubnet: fun("0xb23bf685", "registerSubnet(string,uint16)", {"name": p.string, "tempo": p.uint16}, p.uint16),
    registrationCost: viewFun("0xdc4a7f7f", "registrationCost()", {}, p.uint256),
    removeStake: fun("0x6607bec9", "removeStake(address,uint16,uint256)", {"hotkey": p.address, "netuid": p.uint16, "amount": p.uint256}, ),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    setDefaultMaxUids: fun("0x5862580f", "setDefaultMaxUids(uint16)", {"maxUids": p.uint16}, ),
    setRegistrationCost: fun("0x637e9d5c", "setRegistrationCost(uint256)", {"cost": p.uint256}, ),
    stakeOf: viewFun("0xedcac418", "stakeOf(address,address,uint16)", {"coldkey": p.address, "hotkey": p.address, "netuid": p.uint16}, p.uint256),
    subnetCount: viewFun("0x916a5c5b", "subnetCount()", {}, p.uint16),
    subnetStake: viewFun("0xb5390bf1", "subnetStake(uint16)", {"netuid": p.uint16}, p.uint256),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    token: viewFun("0xfc0c546a", "token()", {}, p.address),
    totalStake: viewFun("0x8b0e9f3f", "totalStake()", {}, p.uint256),
    trustedForwarder: viewFun("0x7da0a877", "trustedForwarder()", {}, p.address),
    uidOf: viewFun("0x46102d6e", "uidOf(uint16,address)", {"netuid": p.uint16, "hotkey": p.address}, {"registered": p.bool, "uid": p.uint16}),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    MAX_UIDS() {
        return this.eth_call(functions.MAX_UIDS, {})
    }

    defaultMaxUids() {
        return this.eth_call(functions.defaultMaxUids, {})
    }

    getNeuron(netuid: GetNeuronParams["netuid"], uid: GetNeuronParams["uid"]) {
        return this.eth_call(functions.getNeuron, {netuid, uid})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    getSubnet(netuid: GetSubnetParams["netuid"]) {
        return this.eth_call(functions.getSubnet, {netuid})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    hotkeyOwner(hotkey: HotkeyOwnerParams["hotkey"]) {
        return this.eth_call(functions.hotkeyOwner, {hotkey})
    }

    hotkeyStake(netuid: HotkeyStakeParams["netuid"], hotkey: HotkeyStakeParams["hotkey"]) {
        return this.eth_call(functions.hotkeyStake, {netuid, hotkey})
    }

    isTrustedForwarder(forwarder: IsTrustedForwarderParams["forwarder"]) {
        return this.eth_call(functions.isTrustedForwarder, {forwarder})
    }

    neuronCount(netuid: NeuronCountParams["netuid"]) {
        return this.eth_call(functions.neuronCount, {netuid})
    }

    registrationCost() {
        return this.eth_call(functions.registrationCost, {})
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

    supportsInterface(interfaceId: SupportsInterfaceParams["interfaceId"]) {
        return this.eth_call(functions.supportsInterface, {interfaceId})
    }

    token() {
        return this.eth_call(functions.token, {})
    }

    totalStake() {
        return this.eth_call(functions.totalStake, {})
    }

    trustedForwarder() {
        return this.eth_call(functions.trustedForwarder, {})
    }

    uidOf(netuid: UidOfParams["netuid"], hotkey: UidOfParams["hotkey"]) {
        return this.eth_call(functions.uidOf, {netuid, hotkey})
    }
}

/// Event types
export type NeuronRegisteredEventArgs = EParams<typeof events.NeuronRegistered>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type StakeAddedEventArgs = EParams<typeof events.StakeAdded>
export type StakeRemovedEventArgs = EParams<typeof events.StakeRemoved>
export type SubnetRegisteredEventArgs = EParams<typeof events.SubnetRegistered>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type MAX_UIDSParams = FunctionArguments<typeof functions.MAX_UIDS>
export type MAX_UIDSReturn = FunctionReturn<typeof functions.MAX_UIDS>

export type AddStakeParams = FunctionArguments<typeof functions.addStake>
export type AddStakeReturn = FunctionReturn<typeof functions.addStake>

export type DefaultMaxUidsParams = FunctionArguments<typeof functions.defaultMaxUids>
export type DefaultMaxUidsReturn = FunctionReturn<typeof functions.defaultMaxUids>

export type GetNeuronParams = FunctionArguments<typeof functions.getNeuron>
export type GetNeuronReturn = FunctionReturn<typeof functions.getNeuron>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GetSubnetParams = FunctionArguments<typeof functions.getSubnet>
export type GetSubnetReturn = FunctionReturn<typeof functions.getSubnet>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type HotkeyOwnerParams = FunctionArguments<typeof functions.hotkeyOwner>
export type HotkeyOwnerReturn = FunctionReturn<typeof functions.hotkeyOwner>

export type HotkeyStakeParams = FunctionArguments<typeof functions.hotkeyStake>
export type HotkeyStakeReturn = FunctionReturn<typeof functions.hotkeyStake>

export type IsTrustedForwarderParams = FunctionArguments<typeof functions.isTrustedForwarder>
export type IsTrustedForwarderReturn = FunctionReturn<typeof functions.isTrustedForwarder>

export type NeuronCountParams = FunctionArguments<typeof functions.neuronCount>
export type NeuronCountReturn = FunctionReturn<typeof functions.neuronCount>

export type RegisterNeuronParams = FunctionArguments<typeof functions.registerNeuron>
export type RegisterNeuronReturn = FunctionReturn<typeof functions.registerNeuron>

export type RegisterSubnetParams = FunctionArguments<typeof functions.registerSubnet>
export type RegisterSubnetReturn = FunctionReturn<typeof functions.registerSubnet>

export type RegistrationCostParams = FunctionArguments<typeof functions.registrationCost>
export type RegistrationCostReturn = FunctionReturn<typeof functions.registrationCost>

export type RemoveStakeParams = FunctionArguments<typeof functions.removeStake>
export type RemoveStakeReturn = FunctionReturn<typeof functions.removeStake>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type SetDefaultMaxUidsParams = FunctionArguments<typeof functions.setDefaultMaxUids>
export type SetDefaultMaxUidsReturn = FunctionReturn<typeof functions.setDefaultMaxUids>

export type SetRegistrationCostParams = FunctionArguments<typeof functions.setRegistrationCost>
export type SetRegistrationCostReturn = FunctionReturn<typeof functions.setRegistrationCost>

export type StakeOfParams = FunctionArguments<typeof functions.stakeOf>
export type StakeOfReturn = FunctionReturn<typeof functions.stakeOf>

export type SubnetCountParams = FunctionArguments<typeof functions.subnetCount>
export type SubnetCountReturn = FunctionReturn<typeof functions.subnetCount>

export type SubnetStakeParams = FunctionArguments<typeof functions.subnetStake>
export type SubnetStakeReturn = FunctionReturn<typeof functions.subnetStake>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type TokenParams = FunctionArguments<typeof functions.token>
export type TokenReturn = FunctionReturn<typeof functions.token>

export type TotalStakeParams = FunctionArguments<typeof functions.totalStake>
export type TotalStakeReturn = FunctionReturn<typeof functions.totalStake>

export type TrustedForwarderParams = FunctionArguments<typeof functions.trustedForwarder>
export type TrustedForwarderReturn = FunctionReturn<typeof functions.trustedForwarder>

export type UidOfParams = FunctionArguments<typeof functions.uidOf>
export type UidOfReturn = FunctionReturn<typeof functions.uidOf>

