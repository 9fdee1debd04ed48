// A structural check of a shared library file before dlopen() maps it. The
// dynamic loader trusts the file's headers: a truncated library makes it touch
// pages past the end of the file, which kills the whole process with SIGBUS.
// Checking that every header and loadable segment lies inside the file turns
// that into an ordinary refusal.
#pragma once

#include <filesystem>
#include <string>

namespace dbclone {

// "" when `file` looks like a complete ELF shared object for this machine,
// else the reason it does not.
std::string elf_problem(const std::filesystem::path& file);

}  // namespace dbclone
