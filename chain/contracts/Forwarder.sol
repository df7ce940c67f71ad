// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// ERC-2771 forwarder through which the gateway relays EIP-712 requests that users signed.
/// The EIP-712 domain name is part of every signature, so it must not change once deployed.
contract Forwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("GridmindForwarder") {}
}
