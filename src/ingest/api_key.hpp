// The Databento API key: only from the environment (DATABENTO_API_KEY), never from the command line,
// and never printed. Messages that might echo a server's text go through Redact().
#pragma once

#include <string>
#include <string_view>

namespace spymaster::ingest {

inline constexpr std::string_view kApiKeyVariable = "DATABENTO_API_KEY";

// The key from DATABENTO_API_KEY; a usage error naming the variable when it is unset or blank.
std::string ApiKeyFromEnvironment();

// `text` with every occurrence of `key` replaced by "<DATABENTO_API_KEY>".
std::string Redact(std::string text, std::string_view key);

}  // namespace spymaster::ingest
