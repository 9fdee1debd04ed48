// Root images a test writes itself: a copy of the shipped v1.0 plus versions
// whose files say whatever the test wants (a hostile root, a user's dump).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "test_support.hpp"

namespace dbclone::testing {

class RootImages {
  public:
    RootImages();  // the shipped v1.0 only
    const std::filesystem::path& dir() const { return dir_.path(); }
    // Writes version `version` with one file per backend (backend -> content)
    // and its manifest, checksums included; returns the version.
    std::string add(const std::string& version, const std::map<std::string, std::string>& files);

  private:
    TempDir dir_;
};

// A root version name unique to this process and `tag` (ctest runs test
// processes in parallel, and golden copies on a shared server are per version).
std::string unique_version(const std::string& tag);

}  // namespace dbclone::testing
