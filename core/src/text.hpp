// Small text helpers shared inside core.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbclone {

// `s` in double quotes, with control characters and quotes escaped, so that a
// hostile value cannot forge a second line in an error message or a log.
std::string in_quotes(std::string_view s);

// "a, b, c"
std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ");

}  // namespace dbclone
