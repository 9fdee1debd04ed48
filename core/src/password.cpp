#include "dbclone/core/password.hpp"

#include <dbclone/plugin_helpers.hpp>

#include "dbclone/core/error.hpp"

namespace dbclone {

// One generator for the host and the plugins (the SDK's); only the error type
// is the host's own.
std::string generate_password() {
    try {
        return sdk::random_password();
    } catch (const sdk::Failure& f) {
        throw Error(ErrorKind::Failed, f.what());
    }
}

}  // namespace dbclone
