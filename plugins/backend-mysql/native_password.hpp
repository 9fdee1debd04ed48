// The mysql_native_password hash of a password, "*" + HEX(SHA1(SHA1(password))),
// computed here so that CREATE USER ... IDENTIFIED BY PASSWORD sends the hash and
// the password itself never reaches the server, its logs or its binlog.
#pragma once

#include <string>

namespace dbclone::mysql {

std::string native_password_hash(const std::string& password);

}  // namespace dbclone::mysql
