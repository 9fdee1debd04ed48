// The host side of the ABI's service tables: the dbc_host_api given to every
// plugin, a dbc_error to pass into a call, and a dbc_sink that collects records.
#pragma once

#include <dbclone/plugin.h>

#include <string>

#include <vector>
#include "dbclone/core/error.hpp"

namespace dbclone {

// The ErrorKind a plugin's return code stands for.
ErrorKind error_kind_for(dbc_rc rc);

// `log_prefix` (the plugin's name) must outlive the table.
dbc_host_api make_host_api(const std::string* log_prefix);

// A zeroed dbc_error of the right size.
class CallError {
  public:
    CallError();
    dbc_error* get() { return &error_; }
    std::string message() const;

  private:
    dbc_error error_{};
};

// Appends each record the plugin writes to `records`.
class RecordSink {
  public:
    explicit RecordSink(std::vector<std::string>& records);
    const dbc_sink* get() const { return &sink_; }

  private:
    dbc_sink sink_{};
};

}  // namespace dbclone
