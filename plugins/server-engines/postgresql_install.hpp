// Where Debian installs PostgreSQL's programs: /usr/lib/postgresql/<major>/bin,
// one directory per installed major version. Header-only: the runtimes use it
// for the server, the postgresql backend for pg_restore.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace dbclone {

// The newest of those directories that holds `program`, or "" when none does.
inline std::string newest_postgresql_bin_with(const std::string& program) {
    namespace fs = std::filesystem;
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec))
        if (fs::exists(e.path() / "bin" / program)) found.push_back(e.path() / "bin");
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return std::atoi(a.parent_path().filename().c_str()) <
               std::atoi(b.parent_path().filename().c_str());
    });
    return found.empty() ? "" : found.back().string();
}

}  // namespace dbclone
