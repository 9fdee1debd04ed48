#include "root_images.hpp"

#include <unistd.h>
#include <dbclone/sha256.hpp>

#include <fstream>

namespace dbclone::testing {

namespace {
const char* file_name(const std::string& backend) {
    if (backend == "mongodb") return "mongodb.json";
    if (backend == "sqlite") return "sqlite.sql";
    if (backend == "mysql") return "mysql.sql";
    return "postgresql.sql";
}
}  // namespace

RootImages::RootImages() {
    std::filesystem::copy(std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/roots", dir_.path(),
                          std::filesystem::copy_options::recursive);
}

std::string RootImages::add(const std::string& version,
                            const std::map<std::string, std::string>& files) {
    auto dir = dir_ / version;
    std::filesystem::create_directories(dir);
    std::string manifest = "{\"version\": \"" + version + "\", \"files\": {";
    bool first = true;
    for (const auto& [backend, content] : files) {
        std::ofstream(dir / file_name(backend), std::ios::binary) << content;
        manifest += std::string(first ? "" : ", ") + "\"" + backend + "\": {\"file\": \"" +
                    file_name(backend) + "\", \"sha256\": \"" + sdk::Sha256::of(content) + "\"}";
        first = false;
    }
    std::ofstream(dir / "manifest.json") << manifest << "}}\n";
    return version;
}

std::string unique_version(const std::string& tag) {
    return tag + std::to_string(::getpid());
}

}  // namespace dbclone::testing
