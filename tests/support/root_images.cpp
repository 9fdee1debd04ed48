#include "root_images.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/root_catalog.hpp>
#include <dbclone/plugin_helpers.hpp>
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
    std::map<std::string, std::vector<std::string>> parts;
    for (const auto& [backend, content] : files) parts[backend] = {content};
    return add_parts(version, parts);
}

std::string RootImages::add_parts(const std::string& version,
                                  const std::map<std::string, std::vector<std::string>>& files) {
    auto dir = dir_ / version;
    std::filesystem::create_directories(dir);
    std::string manifest = "{\"version\": \"" + version + "\", \"files\": {";
    bool first = true;
    for (const auto& [backend, contents] : files) {
        // One file as an object, several as an array: both forms users write.
        std::string entries;
        for (size_t i = 0; i < contents.size(); ++i) {
            std::string name =
                (contents.size() > 1 ? std::to_string(i + 1) + "-" : "") + file_name(backend);
            std::ofstream(dir / name, std::ios::binary) << contents[i];
            entries += std::string(i ? ", " : "") + "{\"file\": \"" + name + "\", \"sha256\": \"" +
                       sdk::Sha256::of(contents[i]) + "\"}";
        }
        manifest += std::string(first ? "" : ", ") + "\"" + backend +
                    "\": " + (contents.size() > 1 ? "[" + entries + "]" : entries);
        first = false;
    }
    std::ofstream(dir / "manifest.json") << manifest << "}}\n";
    return version;
}

std::string RootImages::add_named(const std::string& version, const std::string& backend,
                                  const std::vector<std::pair<std::string, std::string>>& files) {
    auto dir = dir_ / version;
    std::filesystem::create_directories(dir);
    std::string entries;
    for (const auto& [name, content] : files) {
        std::ofstream(dir / name, std::ios::binary) << content;
        entries += std::string(entries.empty() ? "" : ", ") + "{\"file\": \"" + name +
                   "\", \"sha256\": \"" + sdk::Sha256::of(content) + "\"}";
    }
    std::ofstream(dir / "manifest.json")
        << "{\"files\": {\"" << backend << "\": [" << entries << "]}}\n";
    return version;
}

std::string RootImages::add_directory(const std::string& version, const std::string& backend,
                                      const std::string& name,
                                      const std::filesystem::path& source) {
    auto dir = dir_ / version;
    std::filesystem::create_directories(dir);
    std::filesystem::copy(source, dir / name, std::filesystem::copy_options::recursive);
    std::ofstream(dir / "manifest.json")
        << "{\"files\": {\"" << backend << "\": {\"file\": \"" << name << "\", \"sha256\": \""
        << root_part_sha256(dir / name) << "\"}}}\n";
    return version;
}

void expect_roots_fail(Engine& engine, RootImages& roots, const std::string& type,
                       const std::vector<BadRoot>& bad, const std::string& hidden,
                       std::vector<std::string>& goldens) {
    for (size_t n = 0; n < bad.size(); ++n) {
        std::string version = roots.add(
            unique_version("bad" + type.substr(0, 2) + std::to_string(n)), {{type, bad[n].text}});
        goldens.push_back(shared_golden_name(engine, version));
        try {
            Cloner(engine).create({"bad" + std::to_string(n), type, version, ""});
            ADD_FAILURE() << "loaded " << bad[n].text;
        } catch (const Error& e) {
            std::string message = e.what();
            for (const auto& part : bad[n].errors)
                EXPECT_NE(message.find(part), std::string::npos) << part << " in " << message;
            EXPECT_EQ(message.find(hidden), std::string::npos) << message;
        }
    }
}

std::string unique_version(const std::string& tag) {
    return tag + std::to_string(::getpid());
}

}  // namespace dbclone::testing
