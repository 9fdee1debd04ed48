// Tenant passwords, drawn from the OS's random source (getrandom(2)).
#pragma once

#include <string>

namespace dbclone {

// 32 characters of [A-Za-z0-9] (about 190 bits), safe in URLs, shells and SQL
// literals alike, so no engine needs to escape it. Throws Error if the kernel's
// random source fails.
std::string generate_password();

}  // namespace dbclone
