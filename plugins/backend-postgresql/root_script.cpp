#include "root_script.hpp"

#include "root_export.hpp"

#include <dbclone/child_program.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <filesystem>
#include <fstream>

namespace dbclone::postgresql {

namespace {

// The script pg_restore writes for the archive `path`.
std::string archive_script(const std::string& path) {
    auto restored = sdk::run_program({find_pg_program("pg_restore"), "--file=-", path});
    if (restored.exit_code != 0)
        throw sdk::Failure(
            DBC_INVALID_ARGUMENT,
            "root file " + path + ": pg_restore could not read it: " + restored.last_error_line());
    return restored.output;
}

}  // namespace

std::string root_script(const std::string& path) {
    // A directory-format archive (-Fd) is a directory (the host checked that
    // it holds regular files only; DBC_CAP_ROOT_DIRECTORIES); pg_restore
    // reads its toc.dat.
    if (std::filesystem::is_directory(path)) return archive_script(path);
    // A custom-format archive starts with "PGDMP"; a tar-format one (-Ft) is a
    // tar file, "ustar" at byte 257 of its first header.
    char head[262] = {};
    std::ifstream(path, std::ios::binary).read(head, sizeof head);
    bool custom = std::string(head, 5) == "PGDMP";
    bool tar = std::string(head + 257, 5) == "ustar";
    return custom || tar ? archive_script(path) : sdk::read_text_file(path);
}

}  // namespace dbclone::postgresql
