#include "dbclone/core/error.hpp"

namespace dbclone {

int exit_code_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidInput:
            return exit_code::usage;
        case ErrorKind::NotFound:
            return exit_code::not_found;
        case ErrorKind::Conflict:
            return exit_code::conflict;
        case ErrorKind::Unavailable:
            return exit_code::unavailable;
        case ErrorKind::Failed:
            break;
    }
    return exit_code::failed;
}

}  // namespace dbclone
