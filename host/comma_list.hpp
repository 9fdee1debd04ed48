// "a,b,c" as {"a", "b", "c"}: how the CLI (--checks, --types) and the API
// (?checks=) take lists. Empty items are dropped.
#pragma once

#include <string>
#include <vector>

namespace dbclone {

std::vector<std::string> split_commas(const std::string& text);
// {"a", "b"} as "a, b", for messages.
std::string join_commas(const std::vector<std::string>& items);

}  // namespace dbclone
