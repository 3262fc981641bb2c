// The Live gateway's challenge-response authentication (spec dbn.md §11.2).
#pragma once

#include <string>
#include <string_view>

namespace spymaster::ingest {

// hex(SHA-256(challenge + "|" + key)) + "-" + the key's last 5 characters (its bucket id).
std::string CramReply(std::string_view challenge, std::string_view api_key);

}  // namespace spymaster::ingest
