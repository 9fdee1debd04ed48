#include "openapi.hpp"

namespace dbclone::api {

namespace {

// Kept beside the routes it describes (api_routes.cpp): a route added there is
// added here.
constexpr const char* document = R"json({
  "openapi": "3.0.3",
  "info": {"title": "dbclone", "version": "0.1.0",
           "description": "Isolated tenant databases cloned from versioned root images."},
  "servers": [{"url": "http://127.0.0.1:8000"}],
  "security": [{"bearer": []}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "parameters": {
      "TenantId": {"name": "tenant_id", "in": "path", "required": true,
                   "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_]{0,47}$"}}
    },
    "responses": {
      "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error", "detail"],
                "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
      "CreateRequest": {"type": "object", "additionalProperties": false, "required": ["tenant_id", "database_type"],
        "properties": {
          "tenant_id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_]{0,47}$"},
          "database_type": {"type": "string"},
          "root_version": {"type": "string"},
          "placement": {"type": "string", "enum": ["embedded", "shared", "process", "docker"]},
          "strategy": {"type": "string"},
          "async": {"type": "boolean"},
          "limits": {"type": "object", "additionalProperties": false, "properties": {
              "connections": {"$ref": "#/components/schemas/LimitValue"},"statement_timeout": {"$ref": "#/components/schemas/LimitValue"},"idle_in_transaction_timeout": {"$ref": "#/components/schemas/LimitValue"},"lock_timeout": {"$ref": "#/components/schemas/LimitValue"},"work_mem": {"$ref": "#/components/schemas/LimitValue"},"temp_file_limit": {"$ref": "#/components/schemas/LimitValue"},"queries_per_hour": {"$ref": "#/components/schemas/LimitValue"},"disk": {"$ref": "#/components/schemas/LimitValue"}}}}},
      "LimitValue": {"description": "a count (20), a duration (500ms, 30s, 5m) or a size (64kB, 16MB, 1GB); 0 or off: no limit",
          "oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]},
      "Limit": {"type": "object", "properties": {"value": {"type": "string"},
          "state": {"type": "string", "enum": ["enforced", "overridable", "measured", "not_enforced", "off"]},
          "detail": {"type": "string"}}},
      "Connection": {"type": "object", "properties": {
          "database": {"type": "string"}, "user": {"type": "string"}, "password": {"type": "string"},
          "query_user": {"type": "string", "nullable": true, "description": "a login that reads every table and writes nothing"},
          "query_password": {"type": "string"},
          "location": {"type": "string"}, "host": {"type": "string", "nullable": true},
          "port": {"type": "integer", "nullable": true}}},
      "Clone": {"type": "object", "required": ["tenant_id", "database_type", "state", "connection"], "properties": {
          "tenant_id": {"type": "string"}, "database_type": {"type": "string"}, "root_version": {"type": "string"},
          "placement": {"type": "string"}, "state": {"type": "string"},
          "connection": {"$ref": "#/components/schemas/Connection"},
          "limits": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Limit"}},
          "disk": {"type": "object", "description": "the disk the tenant took at its last measure (status, verify)",
            "properties": {"bytes": {"type": "integer", "nullable": true}, "measured_at": {"type": "string", "nullable": true},
              "limit_bytes": {"type": "integer", "nullable": true}, "over_limit": {"type": "boolean"}}},
          "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
      "Operation": {"type": "object", "required": ["operation_id", "state"], "properties": {
          "operation_id": {"type": "string"}, "state": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]},
          "status": {"type": "integer"}, "result": {"type": "object"}}},
      "Probe": {"type": "object", "properties": {"name": {"type": "string"}, "direction": {"type": "string"},
          "outcome": {"type": "string"}, "detail": {"type": "string"}}},
      "Check": {"type": "object", "required": ["name", "outcome"], "properties": {
          "name": {"type": "string"},
          "outcome": {"type": "string", "enum": ["passed", "failed", "not_applicable", "not_enforced", "error"]},
          "details": {"type": "string"}, "duration_ms": {"type": "number"},
          "probes": {"type": "array", "items": {"$ref": "#/components/schemas/Probe"}}}},
      "Report": {"type": "object", "required": ["tenant_id", "isolated", "checks"], "properties": {
          "tenant_id": {"type": "string"}, "database_type": {"type": "string"}, "isolated": {"type": "boolean"},
          "guarded": {"type": "boolean", "description": "every guardrail check passed"},
          "duration_ms": {"type": "number"}, "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}}}},
      "TenantState": {"type": "object", "properties": {"tenant_id": {"type": "string"}, "state": {"type": "string"},
          "removed": {"type": "boolean"}}},
      "Ports": {"type": "object", "properties": {
          "allocations": {"type": "array", "items": {"type": "object", "properties": {
              "port": {"type": "integer"}, "database_type": {"type": "string"}, "tenant_id": {"type": "string"}}}},
          "ranges": {"type": "array", "items": {"type": "object", "properties": {
              "database_type": {"type": "string"}, "first": {"type": "integer"}, "last": {"type": "integer"},
              "capacity": {"type": "integer"}, "allocated": {"type": "integer"}}}}}},
      "SystemStatus": {"type": "object", "properties": {
          "backends": {"type": "array", "items": {"type": "string"}},
          "runtimes": {"type": "array", "items": {"type": "string"}},
          "clones": {"type": "integer"}, "registry_schema_version": {"type": "integer"}}}
    }
  },
  "paths": {
    "/healthz": {"get": {"security": [], "summary": "Liveness", "responses": {"200": {"description": "alive",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {
        "200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
        "401": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {
        "200": {"description": "OpenAPI", "content": {"application/json": {"schema": {"type": "object"}}}},
        "401": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/create": {"post": {"summary": "Create a tenant",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateRequest"}}}},
        "responses": {
          "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clone"}}}},
          "202": {"description": "accepted (async)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Operation"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/operations/{operation_id}": {"get": {"summary": "An asynchronous create's progress",
        "parameters": [{"name": "operation_id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "operation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Operation"}}}},
          "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/verify/{tenant_id}": {"get": {"summary": "Verify a tenant",
        "parameters": [{"$ref": "#/components/parameters/TenantId"},
          {"name": "against", "in": "query", "required": false, "description": "the tenant the cross-tenant checks attack",
           "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_]{0,47}$"}},
          {"name": "checks", "in": "query", "required": false, "description": "comma-separated checks to run (default: all)",
           "schema": {"type": "string", "pattern": "^[a-z_]+(,[a-z_]+)*$"}}],
        "responses": {
          "200": {"description": "report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/list": {"get": {"summary": "Every tenant", "responses": {
        "200": {"description": "tenants", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Clone"}}}}},
        "401": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/status/{tenant_id}": {"get": {"summary": "One tenant",
        "parameters": [{"$ref": "#/components/parameters/TenantId"}],
        "responses": {
          "200": {"description": "tenant", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clone"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/credentials/rotate/{tenant_id}": {"post": {"summary": "A new password for one of the tenant's logins",
        "parameters": [{"$ref": "#/components/parameters/TenantId"},
          {"name": "login", "in": "query", "required": false, "description": "owner (default) or query",
           "schema": {"type": "string", "enum": ["owner", "query"]}}],
        "responses": {
          "200": {"description": "the tenant with its passwords", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clone"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/start/{tenant_id}": {"post": {"summary": "Start a dedicated tenant's server",
        "parameters": [{"$ref": "#/components/parameters/TenantId"}],
        "responses": {
          "200": {"description": "started", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TenantState"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/stop/{tenant_id}": {"post": {"summary": "Stop a dedicated tenant's server",
        "parameters": [{"$ref": "#/components/parameters/TenantId"}],
        "responses": {
          "200": {"description": "stopped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TenantState"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/remove/{tenant_id}": {"delete": {"summary": "Remove a tenant and its data",
        "parameters": [{"$ref": "#/components/parameters/TenantId"}],
        "responses": {
          "200": {"description": "removed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TenantState"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/ports": {"get": {"summary": "Port allocations", "responses": {
        "200": {"description": "ports", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ports"}}}},
        "401": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/cloning/system/status": {"get": {"summary": "The system", "responses": {
        "200": {"description": "status", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SystemStatus"}}}},
        "401": {"$ref": "#/components/responses/Error"}}}}
  }
})json";

}  // namespace

const std::string& openapi_document() {
    static const std::string text = document;
    return text;
}

}  // namespace dbclone::api
