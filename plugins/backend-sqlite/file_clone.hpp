// Copies a file as cheaply as its filesystem allows: a reflink (FICLONE shares
// the blocks until either copy is written, on btrfs and XFS) or, where that is not
// possible, copy_file_range (in-kernel, no user-space buffer).
#pragma once

#include <string>

namespace dbclone::sqlite_backend {

enum class CloneMethod { Auto, Reflink, Copy };

// Parses "auto", "reflink" or "copy"; throws std::invalid_argument otherwise.
CloneMethod parse_clone_method(const std::string& text);

// Creates `to` (it must not exist: EEXIST is reported) with `mode` and fills it with
// `from`'s contents. Returns "reflink" or "copy". On failure removes `to` and
// throws sdk::Failure.
std::string clone_file(const std::string& from, const std::string& to, unsigned mode,
                       CloneMethod method);

}  // namespace dbclone::sqlite_backend
