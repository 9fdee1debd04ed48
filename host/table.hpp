// Plain-text tables for human output: columns padded to their widest cell.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace dbclone::cli {

class Table {
  public:
    explicit Table(std::vector<std::string> headers) : rows_{std::move(headers)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;

  private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace dbclone::cli
