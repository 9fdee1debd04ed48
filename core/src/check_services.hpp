// The services a check plugin gets while it runs (dbc_check_services): the
// tenant's backend's operations, the registry's tenants and a dedicated
// tenant's server record, so that checks need no database driver of their own.
#pragma once

#include <dbclone/plugin.h>

#include "dbclone/core/backend.hpp"
#include "dbclone/core/engine.hpp"

namespace dbclone {

class CheckServices {
  public:
    CheckServices(Engine& engine, Backend& backend);
    const dbc_check_services* get() const { return &table_; }

  private:
    Engine& engine_;
    Backend& backend_;
    dbc_check_services table_{};
};

}  // namespace dbclone
