// The one exception type of the core library. Its kind decides the CLI's exit code
// and the API's HTTP status, so every failure is classified where it happens.
#pragma once

#include <stdexcept>
#include <string>

namespace dbclone {

enum class ErrorKind {
    Failed,        // the operation failed (a server, a file, a plugin)
    InvalidInput,  // the user's input is wrong; nothing was done
    NotFound,      // the named tenant, version, type or plugin does not exist
    Conflict,      // it exists already, or someone else is working on it
    Unavailable,   // a server or resource cannot be reached
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

  private:
    ErrorKind kind_;
};

// Process exit codes of the CLI, one per ErrorKind plus verification's own.
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int failed = 1;
inline constexpr int usage = 2;
inline constexpr int not_found = 3;
inline constexpr int conflict = 4;
inline constexpr int unavailable = 5;
inline constexpr int verification_failed = 6;
}  // namespace exit_code

int exit_code_for(ErrorKind kind);

}  // namespace dbclone
