#include "dbclone/core/root_catalog.hpp"

#include <dbclone/sha256.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <regex>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

const std::regex version_pattern("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$");
const std::regex sha256_pattern("^[0-9a-f]{64}$");

// What identifies a file's contents without reading them: if any of these changed,
// the file may have changed.
std::string stat_key(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
           std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_sec) + "." +
           std::to_string(st.st_ctim.tv_nsec);
}

// The files of directory part `dir`, in byte order of their names; throws
// naming the first that a root directory may not hold.
std::vector<std::filesystem::path> directory_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (e.is_symlink() || !e.is_regular_file())
            throw Error(ErrorKind::InvalidInput,
                        e.path().string() + ": a root directory holds regular files only");
        if (name.front() == '.' || name.find_first_of("\\\n") != std::string::npos)
            throw Error(ErrorKind::InvalidInput,
                        e.path().string() +
                            ": a root directory holds no hidden files and no names with a "
                            "backslash or a newline");
        out.push_back(e.path());
    }
    if (ec)
        throw Error(ErrorKind::InvalidInput, dir.string() + ": cannot be read: " + ec.message());
    if (out.empty()) throw Error(ErrorKind::InvalidInput, dir.string() + ": is an empty directory");
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.filename().string() < b.filename().string();
    });
    return out;
}

std::string directory_sha256(const std::vector<std::filesystem::path>& files) {
    sdk::Sha256 listing;
    for (const auto& f : files)
        listing.update(sdk::Sha256::of_file(f.string()) + "  " + f.filename().string() + "\n");
    return listing.hex();
}

}  // namespace

std::string root_part_sha256(const std::filesystem::path& part) {
    return std::filesystem::is_directory(part) ? directory_sha256(directory_files(part))
                                               : sdk::Sha256::of_file(part.string());
}

uint64_t root_part_bytes(const std::filesystem::path& part) {
    std::error_code ec;
    if (!std::filesystem::is_directory(part, ec)) {
        auto size = std::filesystem::file_size(part, ec);
        return ec ? 0 : size;
    }
    uint64_t total = 0;
    for (const auto& e : std::filesystem::directory_iterator(part, ec))
        if (e.is_regular_file(ec)) total += e.file_size(ec);
    return total;
}

std::string RootCatalog::checksum_problem(const RootPart& f) const {
    // A root file is a regular file in its root's folder. A symbolic link could
    // point anywhere (a secret of this machine), and its content would then be
    // loaded into every tenant and could appear in a server's error message.
    struct stat st {};
    if (::lstat(f.path.c_str(), &st) != 0) return f.path.string() + ": file is missing";
    if (S_ISLNK(st.st_mode))
        return f.path.string() +
               ": is a symbolic link; root files must be regular files in the root's folder";
    bool directory = S_ISDIR(st.st_mode);
    if (!S_ISREG(st.st_mode) && !directory)
        return f.path.string() +
               ": is not a regular file; root files must be regular files (or a directory of "
               "them)";
    std::vector<std::filesystem::path> files;
    if (directory) try {
            files = directory_files(f.path);
        } catch (const Error& e) {
            return e.what();
        }
    // A long-lived process (the API server, the benchmark) hashes a root file once,
    // until its inode, size, mtime or ctime changes (a directory's: any of its files').
    std::string key = stat_key(f.path);
    for (const auto& file : files) key += "|" + stat_key(file);
    {
        std::lock_guard lock(cache_mutex_);
        auto it = verified_.find(f.path.string());
        if (it != verified_.end() && it->second.first == key && it->second.second == f.sha256)
            return "";
    }
    std::string actual =
        directory ? directory_sha256(files) : sdk::Sha256::of_file(f.path.string());
    if (actual == f.sha256) {
        std::lock_guard lock(cache_mutex_);
        verified_[f.path.string()] = {key, actual};
    }
    if (actual != f.sha256)
        return f.path.string() + ": sha256 mismatch (manifest " + f.sha256 + ", file " + actual +
               ")";
    return "";
}

RootCatalog::RootCatalog(std::filesystem::path roots_dir) : dir_(std::move(roots_dir)) {}

void RootCatalog::check_version_name(const std::string& version) {
    if (!std::regex_match(version, version_pattern))
        throw Error(ErrorKind::InvalidInput,
                    "root version " + in_quotes(version) +
                        " is not allowed: 1-32 of [A-Za-z0-9._-], starting with a letter or digit");
}

std::vector<std::string> RootCatalog::versions() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec))
        if (e.is_directory() && std::filesystem::exists(e.path() / "manifest.json"))
            out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

RootImage RootCatalog::load(const std::string& version) const {
    if (!std::regex_match(version, version_pattern) ||
        !std::filesystem::exists(dir_ / version / "manifest.json")) {
        auto known = versions();
        throw Error(ErrorKind::NotFound,
                    "unknown root version " + in_quotes(version) + " in " + dir_.string() +
                        "; available: " + (known.empty() ? "none" : join(known)));
    }
    auto manifest_path = dir_ / version / "manifest.json";
    auto doc = json::parse_file(manifest_path);
    std::string where = manifest_path.string();
    if (!doc.IsObject() || !doc.HasMember("files") || !doc["files"].IsObject())
        throw Error(ErrorKind::InvalidInput, where + ": \"files\" must be an object");
    RootImage image;
    image.version = version;
    image.directory = dir_ / version;
    image.description = json::optional_string(doc, "description", where).value_or("");
    for (const auto& m : doc["files"].GetObject()) {
        std::string backend = m.name.GetString();
        std::string at = where + ": files." + backend;
        // One {"file", "sha256"}, or an array of them applied in order.
        std::vector<const rapidjson::Value*> entries;
        if (m.value.IsArray())
            for (const auto& e : m.value.GetArray()) entries.push_back(&e);
        else
            entries.push_back(&m.value);
        if (entries.empty() || (!m.value.IsArray() && !m.value.IsObject()))
            throw Error(
                ErrorKind::InvalidInput,
                at + " must be an object {\"file\", \"sha256\"} or a non-empty array of them");
        RootFile root{backend, {}, {}, {}};
        for (size_t i = 0; i < entries.size(); ++i) {
            std::string here = m.value.IsArray() ? at + "[" + std::to_string(i) + "]" : at;
            if (!entries[i]->IsObject())
                throw Error(ErrorKind::InvalidInput, here + " must be an object");
            auto file = json::optional_string(*entries[i], "file", here);
            auto sha = json::optional_string(*entries[i], "sha256", here);
            if (!file || file->empty() || file->find('/') != std::string::npos || *file == "..")
                throw Error(ErrorKind::InvalidInput,
                            here + ".file must be a file name in " + image.directory.string());
            if (!sha || !std::regex_match(*sha, sha256_pattern))
                throw Error(ErrorKind::InvalidInput,
                            here + ".sha256 must be 64 lowercase hex digits");
            root.parts.push_back({image.directory / *file, *sha});
        }
        root.path = root.parts.front().path;
        if (root.parts.size() == 1) {
            root.sha256 = root.parts.front().sha256;
        } else {
            sdk::Sha256 all;
            for (const auto& p : root.parts) all.update(p.sha256);
            root.sha256 = all.hex();
        }
        image.files[backend] = root;
    }
    return image;
}

RootValidation RootCatalog::validate(const std::string& version) const {
    RootValidation result{version, {}};
    try {
        auto image = load(version);
        if (image.files.empty()) result.problems.push_back("manifest lists no files");
        for (const auto& [backend, file] : image.files)
            for (const auto& part : file.parts)
                if (auto problem = checksum_problem(part); !problem.empty())
                    result.problems.push_back(problem);
    } catch (const Error& e) {
        result.problems.emplace_back(e.what());
    }
    return result;
}

RootFile RootCatalog::resolve(const std::string& version, const std::string& backend) const {
    auto image = load(version);
    auto it = image.files.find(backend);
    if (it == image.files.end()) {
        std::vector<std::string> have;
        for (const auto& [name, file] : image.files) have.push_back(name);
        throw Error(ErrorKind::NotFound,
                    "root " + version + " has no file for " + backend + "; it has: " + join(have));
    }
    for (const auto& part : it->second.parts)
        if (auto problem = checksum_problem(part); !problem.empty())
            throw Error(ErrorKind::InvalidInput, "root " + version + " is not intact: " + problem);
    return it->second;
}

}  // namespace dbclone
