// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The network token in tests: a plain ERC20 that anyone may mint.
contract TestToken is ERC20 {
  constructor() ERC20("Sibyl Test Token", "tSBL") {}

  function mint(address to, uint256 amountWei) external {
    _mint(to, amountWei);
  }
}
