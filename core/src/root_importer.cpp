#include "dbclone/core/root_importer.hpp"

#include <unistd.h>
#include <dbclone/sha256.hpp>

#include <rapidjson/prettywriter.h>

#include <ctime>
#include <fstream>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace dbclone {

std::string without_password(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto at = url.find('@', scheme + 3);
    auto colon = url.find(':', scheme + 3);
    if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {

std::string today() {
    char out[32];
    std::time_t now = std::time(nullptr);
    std::strftime(out, sizeof out, "%Y-%m-%d", std::gmtime(&now));
    return out;
}

// The manifest with `backend`'s files added: the existing one's text, or a new one.
std::string manifest_with(const fs::path& existing, const std::string& version,
                          const std::string& description, const std::string& backend,
                          const std::vector<RootPart>& parts) {
    rapidjson::Document doc;
    if (fs::exists(existing)) {
        doc = json::parse_file(existing);
    } else {
        doc.SetObject();
        auto& a = doc.GetAllocator();
        doc.AddMember("version", rapidjson::Value(version.c_str(), a), a);
        doc.AddMember("description", rapidjson::Value(description.c_str(), a), a);
        doc.AddMember("files", rapidjson::Value(rapidjson::kObjectType), a);
    }
    auto& a = doc.GetAllocator();
    rapidjson::Value entries(rapidjson::kArrayType);
    for (const auto& p : parts) {
        rapidjson::Value entry(rapidjson::kObjectType);
        entry.AddMember("file", rapidjson::Value(p.path.filename().c_str(), a), a);
        entry.AddMember("sha256", rapidjson::Value(p.sha256.c_str(), a), a);
        entries.PushBack(entry, a);
    }
    // One file as an object (the form of hand-written manifests), several as an array.
    rapidjson::Value value =
        parts.size() == 1 ? rapidjson::Value(entries[0], a) : std::move(entries);
    doc["files"].AddMember(rapidjson::Value(backend.c_str(), a), value, a);
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.SetIndent(' ', 2);
    doc.Accept(w);
    return std::string(buffer.GetString()) + "\n";
}

}  // namespace

RootFile RootImporter::import(const std::string& version, const std::string& backend,
                              const std::string& source, const std::string& description) {
    RootCatalog::check_version_name(version);
    const RootCatalog& roots = engine_.roots();
    fs::path dir = roots.directory() / version, manifest = dir / "manifest.json";
    if (fs::exists(manifest) && roots.load(version).files.count(backend) != 0)
        throw Error(ErrorKind::Conflict, "root " + in_quotes(version) + " has a " + backend +
                                             " file already; import into a new version");
    Backend& plugin = engine_.backend(backend);
    // The export goes to a directory of this process's, moved in when complete.
    fs::path work = roots.directory() / ("." + version + ".import-" + std::to_string(::getpid()));
    fs::remove_all(work);
    fs::create_directories(work);
    std::vector<fs::path> moved;
    bool made_dir = false;
    try {
        auto files = plugin.export_root(source, work.string());
        std::vector<RootPart> parts;
        for (const auto& f : files) {
            if (fs::exists(dir / f))
                throw Error(ErrorKind::Conflict,
                            "root " + in_quotes(version) + " has a file named " + f + " already");
            parts.push_back({dir / f, sdk::Sha256::of_file((work / f).string())});
        }
        std::string text = manifest_with(
            manifest, version,
            description.empty() ? "imported from " + without_password(source) + " on " + today()
                                : description,
            backend, parts);
        made_dir = !fs::exists(dir);
        fs::create_directories(dir);
        for (const auto& f : files) {
            fs::rename(work / f, dir / f);
            moved.push_back(dir / f);
        }
        std::ofstream(work / "manifest.json") << text;
        fs::rename(work / "manifest.json", manifest);  // the version appears, or grows, at once
        fs::remove_all(work);
        return roots.resolve(version, backend);
    } catch (...) {
        std::error_code ec;
        for (const auto& f : moved) fs::remove(f, ec);
        if (made_dir) fs::remove(dir, ec);  // only if it is empty again
        fs::remove_all(work, ec);
        throw;
    }
}

}  // namespace dbclone
