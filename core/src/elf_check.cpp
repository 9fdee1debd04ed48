#include "elf_check.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace dbclone {

namespace {

#if defined(__x86_64__)
constexpr uint16_t host_machine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t host_machine = EM_AARCH64;
#else
constexpr uint16_t host_machine = EM_NONE;  // not checked
#endif

}  // namespace

std::string elf_problem(const std::filesystem::path& file) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(file, ec);
    if (ec) return "cannot stat: " + ec.message();
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    if (!in.read(reinterpret_cast<char*>(&header), sizeof header))
        return "truncated: shorter than an ELF header";
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return "not an ELF file";
    if (header.e_ident[EI_CLASS] != ELFCLASS64) return "not a 64-bit ELF file";
    if (header.e_type != ET_DYN) return "not a shared object";
    if (host_machine != EM_NONE && header.e_machine != host_machine)
        return "built for another machine (e_machine " + std::to_string(header.e_machine) + ")";
    uint64_t table_end = header.e_phoff + uint64_t(header.e_phnum) * header.e_phentsize;
    if (header.e_phentsize != sizeof(Elf64_Phdr) || table_end > size)
        return "truncated: program headers end at byte " + std::to_string(table_end) + " of " +
               std::to_string(size);
    std::vector<Elf64_Phdr> segments(header.e_phnum);
    in.seekg(static_cast<std::streamoff>(header.e_phoff));
    if (!in.read(reinterpret_cast<char*>(segments.data()),
                 static_cast<std::streamsize>(segments.size() * sizeof(Elf64_Phdr))))
        return "truncated: cannot read program headers";
    for (const auto& s : segments)
        if (s.p_type == PT_LOAD && s.p_offset + s.p_filesz > size)
            return "truncated: a loadable segment ends at byte " +
                   std::to_string(s.p_offset + s.p_filesz) + " of " + std::to_string(size);
    uint64_t sections_end = header.e_shoff + uint64_t(header.e_shnum) * header.e_shentsize;
    if (header.e_shoff != 0 && sections_end > size)
        return "truncated: section headers end at byte " + std::to_string(sections_end) + " of " +
               std::to_string(size);
    return "";
}

}  // namespace dbclone
