// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// The network token. Minting and burning are role-gated so that protocol contracts (registry,
/// later the epoch ledger and BME settlement) hold exactly the powers they need.
/// ERC-2612 permit: a wallet without ETH approves the market or the registry by signing, and the
/// gateway's relayer submits permit() (the token is not ERC-2771-aware: an approve relayed through
/// the forwarder would be refused as an untrusted target).
contract GridToken is ERC20, ERC20Permit, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");

    constructor(address admin) ERC20("Gridmind", "GRID") ERC20Permit("Gridmind") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    error LengthMismatch(uint256 to, uint256 amounts);

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// Mints amounts[i] to to[i] (a Transfer from 0 each, zero amounts skipped): one call for the
    /// many payees of an epoch, whose per-call overhead would otherwise cost more than the mints.
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        if (to.length != amounts.length) revert LengthMismatch(to.length, amounts.length);
        for (uint256 i = 0; i < to.length; i++) {
            if (amounts[i] > 0) _mint(to[i], amounts[i]);
        }
    }

    /// Burns the caller's own tokens.
    function burn(uint256 amount) external onlyRole(BURNER_ROLE) {
        _burn(_msgSender(), amount);
    }

    /// Burns `amount` of `account`'s tokens against the allowance it gave the caller.
    function burnFrom(address account, uint256 amount) external onlyRole(BURNER_ROLE) {
        _spendAllowance(account, _msgSender(), amount);
        _burn(account, amount);
    }
}
