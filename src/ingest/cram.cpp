#include "ingest/cram.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

namespace spymaster::ingest {

std::string CramReply(std::string_view challenge, std::string_view api_key) {
  if (api_key.size() < 5) throw UsageError("DATABENTO_API_KEY is too short to be a Databento key");
  std::string input(challenge);
  input += '|';
  input += api_key;
  return common::Sha256Hex(input) + "-" + std::string(api_key.substr(api_key.size() - 5));
}

}  // namespace spymaster::ingest
