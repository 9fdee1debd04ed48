// The smallest useful backend: a "database" is a text file. The golden copy is
// the root file copied once per version; a clone is a copy of that.
//
// Everything a real backend does is here in miniature: the C++ SDK turns this
// class into the C ABI, exceptions become error codes, and optional methods
// (fingerprint, probe) are found by the SDK and offered to the host.
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>

#include <filesystem>

namespace fs = std::filesystem;

class SkeletonBackend {
  public:
    static constexpr const char* description = "Example: a text file per tenant";
    static constexpr uint64_t capabilities = DBC_CAP_EMBEDDED;

    SkeletonBackend(const dbclone::sdk::Host& host, const dbc_plugin_init& init)
        : host_(host), dir_(init.data_dir) {}

    dbclone::sdk::GoldenResult ensure_golden(const dbc_golden_request& req) {
        fs::path golden = dir_ / (std::string(req.root_version) + "-" +
                                  std::string(req.root_sha256).substr(0, 16) + ".txt");
        if (!fs::exists(golden)) {
            // Copy under a temporary name, then rename: never a half-made golden copy.
            fs::path temp = golden.string() + ".tmp";
            fs::copy_file(req.root_file, temp, fs::copy_options::overwrite_existing);
            fs::rename(temp, golden);
            host_.info("built " + golden.string());
        }
        return {golden.string(), dbclone::sdk::Sha256::of_file(golden.string())};
    }

    dbclone::sdk::CloneResult clone(const dbc_clone_request& req) {
        fs::path target = dir_ / (std::string(req.database_name) + ".txt");
        if (fs::exists(target))
            throw dbclone::sdk::Failure(DBC_CONFLICT, target.string() + " exists already");
        fs::copy_file(req.golden_location, target);
        fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
        return {target.string(), "", 0, "", ""};
    }

    void drop(const dbc_drop_request& req) {
        fs::remove(dir_ / ("tenant_" + std::string(req.tenant_id) + "_db.txt"));
    }

    std::string fingerprint(const dbc_target& target) {
        return dbclone::sdk::Sha256::of_file(target.location);
    }

    void probe(const dbc_target& target) {
        if (!fs::exists(target.location))
            throw dbclone::sdk::Failure(DBC_NOT_FOUND,
                                        std::string(target.location) + " is missing");
    }

  private:
    dbclone::sdk::Host host_;
    fs::path dir_;
};

DBC_DECLARE_BACKEND(SkeletonBackend, "skeleton", "0.1.0")
