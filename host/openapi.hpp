// The OpenAPI 3.0 description of the REST API, served at /api/v1/openapi.json.
#pragma once

#include <string>

namespace dbclone::api {

const std::string& openapi_document();

}  // namespace dbclone::api
