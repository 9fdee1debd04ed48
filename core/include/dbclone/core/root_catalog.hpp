// Root images: versioned templates in <roots_dir>/<version>/, each with a
// manifest.json naming per backend one file, or several applied in order
// (schema, then data), and their sha256s. The engine checks a file's checksum
// every time it uses it. A part may also be a directory of regular files
// (pg_dump -Fd writes one), checked as a whole: see root_part_sha256.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace dbclone {

struct RootPart {
    std::filesystem::path path;  // a regular file, or a directory of them
    std::string sha256;          // from the manifest
};

// The sha256 of a root part: of the file's bytes, or for a directory, of what
// `cd DIR && LC_ALL=C sha256sum -- * | sha256sum` hashes: a line
// "<sha256 of the file>  <name>\n" per file, in byte order of the names.
// A directory may hold only regular files, none hidden, with no backslash or
// newline in their names (sha256sum would escape those), and not none.
// Throws Error(InvalidInput) naming what is wrong.
std::string root_part_sha256(const std::filesystem::path& part);
// A part's size: the file's, or the sum of the directory's files.
uint64_t root_part_bytes(const std::filesystem::path& part);

struct RootFile {
    std::string backend;         // "sqlite", "postgresql", ...
    std::filesystem::path path;  // the first part
    // The root's identity for this backend: the one part's sha256, or the
    // sha256 of every part's in order (a change to any part rebuilds).
    std::string sha256;
    std::vector<RootPart> parts;  // in manifest order; one for a one-file root
};

struct RootImage {
    std::string version;
    std::string description;
    std::filesystem::path directory;
    std::map<std::string, RootFile> files;  // by backend
};

// The outcome of checking one version: every problem found, one line each.
struct RootValidation {
    std::string version;
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

class RootCatalog {
  public:
    explicit RootCatalog(std::filesystem::path roots_dir);

    const std::filesystem::path& directory() const { return dir_; }
    // Throws Error(InvalidInput) unless `version` may name a root (it becomes a
    // directory and, on servers, part of a database name).
    static void check_version_name(const std::string& version);
    // Versions that have a manifest.json, sorted.
    std::vector<std::string> versions() const;
    // Reads a version's manifest. Throws Error(NotFound) listing the versions that
    // exist, or Error(InvalidInput) for a malformed manifest.
    RootImage load(const std::string& version) const;
    // Checks that every file of the manifest exists and has its sha256.
    RootValidation validate(const std::string& version) const;
    // The backend's file of a version, checksum verified. Throws Error naming the
    // file on a mismatch, and listing the backends the root has when it lacks one.
    RootFile resolve(const std::string& version, const std::string& backend) const;

  private:
    // "" when the file exists and has its manifest checksum, else the problem.
    std::string checksum_problem(const RootPart& file) const;

    std::filesystem::path dir_;
    mutable std::mutex cache_mutex_;
    mutable std::map<std::string, std::pair<std::string, std::string>>
        verified_;  // path -> (stat, sha)
};

}  // namespace dbclone
