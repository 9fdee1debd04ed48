// "a,b,c" as {"a", "b", "c"}: how the CLI (--checks, --types) and the API
// (?checks=) take lists. Empty items are dropped.
#pragma once

#include <string>
#include <vector>

namespace dbclone {

std::vector<std::string> split_commas(const std::string& text);

}  // namespace dbclone
