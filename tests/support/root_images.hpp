// Root images a test writes itself: a copy of the shipped v1.0 plus versions
// whose files say whatever the test wants (a hostile root, a user's dump).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <dbclone/core/engine.hpp>

#include <vector>

#include "test_support.hpp"

namespace dbclone::testing {

class RootImages {
  public:
    RootImages();  // the shipped v1.0 only
    const std::filesystem::path& dir() const { return dir_.path(); }
    // Writes version `version` with one file per backend (backend -> content)
    // and its manifest, checksums included; returns the version.
    std::string add(const std::string& version, const std::map<std::string, std::string>& files);
    // The same with several files per backend, applied in the order given
    // (the manifest's array form).
    std::string add_parts(const std::string& version,
                          const std::map<std::string, std::vector<std::string>>& files);
    // One backend's files under names of the test's own (file -> content), in
    // the order given.
    std::string add_named(const std::string& version, const std::string& backend,
                          const std::vector<std::pair<std::string, std::string>>& files);
    // One backend's part that is a copy of directory `source` (pg_dump -Fd),
    // as `name`.
    std::string add_directory(const std::string& version, const std::string& backend,
                              const std::string& name, const std::filesystem::path& source);

  private:
    TempDir dir_;
};

// A root that must fail to build, and what its error must say.
struct BadRoot {
    std::string text;                 // the root file
    std::vector<std::string> errors;  // each a part of the error message
};

// Creates a tenant of `type` from each bad root (a version of its own, the
// golden names of which are added to `goldens` for the test to drop); each
// create must fail with its error parts and without `hidden` (a value in it).
void expect_roots_fail(Engine& engine, RootImages& roots, const std::string& type,
                       const std::vector<BadRoot>& bad, const std::string& hidden,
                       std::vector<std::string>& goldens);

// A root version name unique to this process and `tag` (ctest runs test
// processes in parallel, and golden copies on a shared server are per version).
std::string unique_version(const std::string& tag);

}  // namespace dbclone::testing
