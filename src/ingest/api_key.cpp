#include "ingest/api_key.hpp"

#include <cstdlib>

#include "common/error.hpp"

namespace spymaster::ingest {

std::string ApiKeyFromEnvironment() {
  const char* value = std::getenv(std::string(kApiKeyVariable).c_str());
  std::string key = value == nullptr ? std::string() : std::string(value);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.empty()) {
    throw UsageError(std::string(kApiKeyVariable) + " is not set: export your Databento API key in it (it is never " +
                     "accepted on the command line)");
  }
  if (key.find_first_of(":\n\r|") != std::string::npos) {
    throw UsageError(std::string(kApiKeyVariable) +
                     " holds a character an API key cannot have (':', '|' or a newline)");
  }
  return key;
}

std::string Redact(std::string text, std::string_view key) {
  if (key.empty()) return text;
  for (std::size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos)) {
    text.replace(pos, key.size(), "<DATABENTO_API_KEY>");
  }
  return text;
}

}  // namespace spymaster::ingest
