// Validates a plugin's config section against the JSON Schema in its descriptor.
// Only the subset plugins need is understood: type, properties, required,
// additionalProperties (boolean), items, enum; other keywords are ignored.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace dbclone {

// nullopt when `value` conforms, else one line naming the offending path.
std::optional<std::string> schema_violation(const rapidjson::Value& value,
                                            const rapidjson::Value& schema,
                                            const std::string& path = "$");

}  // namespace dbclone
