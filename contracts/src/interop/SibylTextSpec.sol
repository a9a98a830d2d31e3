// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Builds the question spec (protocol/src/question-spec.ts, type "text") that Sibyl's nodes read for a
/// yes/no question whose text comes from a client written for another oracle: a UMA price request's ancillary
/// data, a UMA assertion's claim.
/// @dev The spec is compact JSON with its keys in a fixed order, so its keccak256 (the request's specHash) is
/// the same wherever it is rebuilt:
///   {"version":1,"type":"text","question":"<text>","sources":<sources>,"rules":"<rules>","outcomes":["NO","YES"]}
/// The text is JSON-escaped here (quote, backslash, control characters); `sources` is a JSON array chosen by
/// whoever deploys the facade, and `rules` is escaped once, at deployment. Where the facade allows it
/// (`wholeSpecs`), text that is itself a JSON object (its first byte is "{") is taken as a whole spec, for
/// clients that know Sibyl and name their own sources; it must list the outcomes ["NO","YES"] as here, or the
/// nodes refuse it. Only a party asking its own question may do that: V2's requester, never V3's asserter.
library SibylTextSpec {
  /// The spec schema's limit on a question; nodes refuse a longer one.
  uint256 internal constant MAX_QUESTION_BYTES = 1000;
  uint256 internal constant MIN_QUESTION_BYTES = 8;

  error QuestionLength(uint256 bytesLength);

  /// @notice The spec for `text`: `text` itself when it is a JSON object and `wholeSpecs`, else the text
  /// question built around it.
  function build(bytes memory text, bytes memory sourcesJson, bytes memory escapedRules, bool wholeSpecs) internal pure returns (string memory) {
    if (wholeSpecs && text.length > 0 && text[0] == "{") return string(text);
    if (text.length < MIN_QUESTION_BYTES || text.length > MAX_QUESTION_BYTES) revert QuestionLength(text.length);
    return
      string(
        abi.encodePacked(
          '{"version":1,"type":"text","question":"',
          escape(text),
          '","sources":',
          sourcesJson,
          ',"rules":"',
          escapedRules,
          '","outcomes":["NO","YES"]}'
        )
      );
  }

  /// @notice `raw` as the inside of a JSON string: '"' and '\' get a backslash, control characters become \u00XX.
  function escape(bytes memory raw) internal pure returns (bytes memory out) {
    uint256 extra;
    for (uint256 i = 0; i < raw.length; ++i) {
      bytes1 c = raw[i];
      if (c == '"' || c == "\\") extra += 1;
      else if (uint8(c) < 0x20) extra += 5;
    }
    if (extra == 0) return raw;
    out = new bytes(raw.length + extra);
    uint256 j;
    bytes16 hexDigits = "0123456789abcdef";
    for (uint256 i = 0; i < raw.length; ++i) {
      bytes1 c = raw[i];
      if (c == '"' || c == "\\") {
        out[j++] = "\\";
        out[j++] = c;
      } else if (uint8(c) < 0x20) {
        out[j++] = "\\";
        out[j++] = "u";
        out[j++] = "0";
        out[j++] = "0";
        out[j++] = hexDigits[uint8(c) >> 4];
        out[j++] = hexDigits[uint8(c) & 0x0f];
      } else {
        out[j++] = c;
      }
    }
  }
}
