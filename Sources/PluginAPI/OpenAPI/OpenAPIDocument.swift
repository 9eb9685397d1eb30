/// The contract (`API.md`) as an OpenAPI 3.1 document, served at `GET /api/plugins/openapi.json`.
///
/// One raw string so the document is byte-for-byte what clients fetch, and so `deploy/openapi-check`
/// can lift it out and validate it without building anything. Keep it in step with `API.md`: the
/// contract changes only by adding, and so does this document. `OpenAPIDocumentTests` checks that
/// every route and every problem code of `API.md` is here.
enum OpenAPIDocument {
    static let json: String = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Plugin lifecycle API",
        "version": "1.0.0",
        "description": "The HTTP contract of the user-scoped plugin lifecycle service (nginx → FastCGI → Swift workers → SQLite). It changes only by adding.\n\n**Identity.** `Authorization: Bearer <JWT>` on every route except the public ones, where a token is optional (`security: [{}, {bearerAuth: []}]`) but verified when sent: a bad one gets 401, never a silent anonymous view. Operations carry `x-auth`: `public`, `user` or `admin`.\n\n**Slugs.** Matched case-insensitively with `-` equal to `_`; canonical form lowercase with underscores, `^[a-z0-9][a-z0-9_]{0,63}$`. Every `plugin_slug` in a response, and every key of `available_plugins`, is canonical. An invalid slug gets 400 `invalid_slug` before anything is looked up. Plugin id `{user_id}_{slug}`; module id `{plugin_id}_{ModuleName}`.\n\n**Responses.** Success: 200/201 `{\"status\": \"success\", \"message\", \"data\"}`. Errors: `application/problem+json` (RFC 9457) with a stable `code`, also for errors nginx produces itself. Nothing under `/api/` falls back to HTML.\n\n**Order of checks.** Unknown route 404 `not_found`, wrong method 405 `method_not_allowed` (with `Allow`); then identity (401/403); then input (400/413/415); then the operation.\n\n**Headers.** `X-Request-Id` on every response. GET `available`, `info`, `versions` and `status` carry `ETag` and answer a matching `If-None-Match` with 304. 401 carries `WWW-Authenticate`; 429 and 503 carry `Retry-After`.\n\n**Bodies.** JSON (`application/json`); an absent body is the same as `{}`; default limit 1 MiB (413 above)."
      },
      "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
      "servers": [
        {
          "url": "/",
          "description": "The host nginx serves; every path is under `/api/plugins/`."
        }
      ],
      "security": [
        {
          "bearerAuth": []
        }
      ],
      "tags": [
        {
          "name": "catalog",
          "description": "What can be installed (public)."
        },
        {
          "name": "lifecycle",
          "description": "The caller's own plugins."
        },
        {
          "name": "sharing",
          "description": "Offers of an installed version between users."
        },
        {
          "name": "admin",
          "description": "Routes that need admin rights."
        },
        {
          "name": "audit",
          "description": "Lifecycle events."
        },
        {
          "name": "service",
          "description": "Liveness, this document, metrics."
        }
      ],
      "paths": {
        "/api/plugins/available": {
          "get": {
            "operationId": "listAvailable",
            "summary": "The catalog",
            "description": "Every plugin in the catalog, latest version first-class. Public; with a valid token each entry also carries `installed` and `installed_version` for the caller.",
            "tags": [
              "catalog"
            ],
            "x-auth": "public",
            "security": [
              {},
              {
                "bearerAuth": []
              }
            ],
            "parameters": [
              {
                "$ref": "#/components/parameters/IfNoneMatch"
              }
            ],
            "responses": {
              "200": {
                "description": "The catalog, keyed by canonical slug.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  },
                  "ETag": {
                    "$ref": "#/components/headers/ETag"
                  },
                  "Vary": {
                    "$ref": "#/components/headers/Vary"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AvailableResponse"
                    }
                  }
                }
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/info": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "get": {
            "operationId": "getPluginInfo",
            "summary": "One catalog entry",
            "description": "The latest version's manifest with every version. Public.",
            "tags": [
              "catalog"
            ],
            "x-auth": "public",
            "security": [
              {},
              {
                "bearerAuth": []
              }
            ],
            "parameters": [
              {
                "$ref": "#/components/parameters/IfNoneMatch"
              }
            ],
            "responses": {
              "200": {
                "description": "The catalog entry.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  },
                  "ETag": {
                    "$ref": "#/components/headers/ETag"
                  },
                  "Vary": {
                    "$ref": "#/components/headers/Vary"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/PluginInfoResponse"
                    }
                  }
                }
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "No such plugin in the catalog.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "plugin_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/versions": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "get": {
            "operationId": "listPluginVersions",
            "summary": "Versions of a plugin",
            "description": "Every version in the catalog, newest first by semver, with its dependencies. Public.",
            "tags": [
              "catalog"
            ],
            "x-auth": "public",
            "security": [
              {},
              {
                "bearerAuth": []
              }
            ],
            "parameters": [
              {
                "$ref": "#/components/parameters/IfNoneMatch"
              }
            ],
            "responses": {
              "200": {
                "description": "The versions.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  },
                  "ETag": {
                    "$ref": "#/components/headers/ETag"
                  },
                  "Vary": {
                    "$ref": "#/components/headers/Vary"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/VersionsResponse"
                    }
                  }
                }
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "No such plugin in the catalog.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "plugin_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/install": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "installPlugin",
            "summary": "Install for the caller",
            "description": "Installs the plugin (default: the latest version) and the versions of its dependencies that satisfy its ranges, all or nothing.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "requestBody": {
              "required": false,
              "description": "The version to install. An absent body is the same as `{}`.",
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/VersionRequest"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/InstallResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`; `invalid_version` (not a semantic version); `bad_request`: malformed JSON, a body that is not an object, a field of the wrong type.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug",
                                "invalid_version"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "No such plugin, or no such version of it.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "plugin_not_found",
                                "version_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`already_installed`: the caller has it (use update or repair). `operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "already_installed",
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "422": {
                "description": "`dependency_unsatisfied`: no catalog version satisfies a dependency range, or the change would break a range of another installed plugin. `invalid_package`: the package fails validation.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 422
                            },
                            "code": {
                              "enum": [
                                "dependency_unsatisfied",
                                "invalid_package"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              },
              "507": {
                "$ref": "#/components/responses/InsufficientStorage"
              }
            }
          }
        },
        "/api/plugins/{slug}/uninstall": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "delete": {
            "operationId": "uninstallPlugin",
            "summary": "Remove the caller's copy",
            "description": "Removes the folder, the rows (modules, files, shares it made) and the metadata file; the audit log keeps the event. Only the named plugin is removed (and, with `cascade=true`, its dependents); dependencies it pulled in stay installed.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "parameters": [
              {
                "$ref": "#/components/parameters/Cascade"
              }
            ],
            "responses": {
              "200": {
                "description": "Uninstalled.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/UninstallResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`, or a bad `cascade` value (`bad_request`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "The caller does not have it installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`dependency_in_use`: another of the caller's plugins needs it (use `cascade=true`). `operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "dependency_in_use",
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/status": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "get": {
            "operationId": "getPluginStatus",
            "summary": "Health of the caller's copy",
            "description": "A valid slug in the catalog but not installed reports `not_installed`; an installed plugin whose package left the catalog still reports its status. A disabled plugin keeps its health checks.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "parameters": [
              {
                "$ref": "#/components/parameters/Verify"
              },
              {
                "$ref": "#/components/parameters/IfNoneMatch"
              }
            ],
            "responses": {
              "200": {
                "description": "The health report.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  },
                  "ETag": {
                    "$ref": "#/components/headers/ETag"
                  },
                  "Vary": {
                    "$ref": "#/components/headers/Vary"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/StatusResponse"
                    }
                  }
                }
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "400": {
                "description": "`invalid_slug`, or a bad `verify` value (`bad_request`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "Neither installed by the caller nor in the catalog.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "plugin_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/repair": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "repairPlugin",
            "summary": "Restore files and module records",
            "description": "Restores missing or modified files and module records of the caller's copy; keeps the enabled flags.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Repaired, or already healthy (`repair_actions` empty).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/RepairResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "The caller does not have it installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "422": {
                "description": "`dependency_unsatisfied`: no catalog version satisfies a dependency range, or the change would break a range of another installed plugin. `invalid_package`: the package fails validation.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 422
                            },
                            "code": {
                              "enum": [
                                "dependency_unsatisfied",
                                "invalid_package"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              },
              "507": {
                "$ref": "#/components/responses/InsufficientStorage"
              }
            }
          }
        },
        "/api/plugins/{slug}/update": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "put": {
            "operationId": "updatePlugin",
            "summary": "Move to another version",
            "description": "Moves the caller's copy to `version` (default: the latest); downgrades are allowed. The old version stays until the new one is in place. Keeps the enabled flags of the plugin and of surviving modules. Updating to the installed version is a 200 with equal versions and no change.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "requestBody": {
              "required": false,
              "description": "The target version. An absent body is the same as `{}`.",
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/VersionRequest"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Updated, or already at that version.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/UpdateResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`; `invalid_version` (not a semantic version); `bad_request`: malformed JSON, a body that is not an object, a field of the wrong type.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug",
                                "invalid_version"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "Not installed by the caller, no such plugin in the catalog, or no such version.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed",
                                "plugin_not_found",
                                "version_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "422": {
                "description": "`dependency_unsatisfied`: no catalog version satisfies a dependency range, or the change would break a range of another installed plugin. `invalid_package`: the package fails validation.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 422
                            },
                            "code": {
                              "enum": [
                                "dependency_unsatisfied",
                                "invalid_package"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              },
              "507": {
                "$ref": "#/components/responses/InsufficientStorage"
              }
            }
          }
        },
        "/api/plugins/{slug}/enable": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "enablePlugin",
            "summary": "Enable the caller's copy",
            "description": "Switches the caller's copy on; files and rows are kept. Idempotent: a 200 with no change when already in that state.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Enabled (or already so).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/EnabledStateResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "The caller does not have it installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/modules/{module}/enable": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            },
            {
              "$ref": "#/components/parameters/Module"
            }
          ],
          "post": {
            "operationId": "enableModule",
            "summary": "Enable one module",
            "description": "The same as the plugin route, for one module of the caller's copy. Idempotent.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Enabled (or already so).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/EnabledStateResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "`not_installed`: the caller does not have the plugin; `not_found`: no such module.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed",
                                "not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/disable": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "disablePlugin",
            "summary": "Disable the caller's copy",
            "description": "Switches the caller's copy off; files and rows are kept. Idempotent: a 200 with no change when already in that state.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Disabled (or already so).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/EnabledStateResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "The caller does not have it installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/modules/{module}/disable": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            },
            {
              "$ref": "#/components/parameters/Module"
            }
          ],
          "post": {
            "operationId": "disableModule",
            "summary": "Disable one module",
            "description": "The same as the plugin route, for one module of the caller's copy. Idempotent.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Disabled (or already so).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/EnabledStateResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The slug is not valid (`invalid_slug`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "`not_installed`: the caller does not have the plugin; `not_found`: no such module.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed",
                                "not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/installed": {
          "get": {
            "operationId": "listInstalled",
            "summary": "The caller's plugins",
            "description": "The caller's installed plugins with their status, enabled flag and available updates.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "The caller's plugins.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/InstalledResponse"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/updates": {
          "get": {
            "operationId": "listUpdates",
            "summary": "The caller's plugins with a newer version",
            "description": "The caller's installed plugins that have a newer version in the catalog.",
            "tags": [
              "lifecycle"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "The available updates.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/UpdatesResponse"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/share": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "sharePlugin",
            "summary": "Offer your installed version to other users",
            "description": "Offers the caller's installed version to each of `user_ids`.",
            "tags": [
              "sharing"
            ],
            "x-auth": "user",
            "requestBody": {
              "required": true,
              "description": "The recipients.",
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/ShareRequest"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "The offers made.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/SharesResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`, or an empty or invalid `user_ids` (`bad_request`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "description": "The caller does not have the plugin installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_installed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/shared": {
          "get": {
            "operationId": "listShared",
            "summary": "Offers made to the caller (or by the caller)",
            "description": "Open offers made to the caller; accepted, declined or withdrawn offers leave the list. With `direction=sent` (an addition to `API.md`): the open offers the caller made, which it can withdraw with `DELETE /api/plugins/shared/{share_id}`.",
            "tags": [
              "sharing"
            ],
            "x-auth": "user",
            "parameters": [
              {
                "name": "direction",
                "in": "query",
                "required": false,
                "description": "`received` (the default, also when empty): offers made to the caller. `sent`: offers the caller made. Any other value gets 400 `bad_request`.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "received",
                    "sent"
                  ],
                  "default": "received"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "The open offers.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/SharedListResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "A `direction` other than `received` or `sent`.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/shared/{share_id}/accept": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ShareId"
            }
          ],
          "post": {
            "operationId": "acceptShare",
            "summary": "Install the offered version",
            "description": "Installs the offered version for the caller (the recipient), like install.",
            "tags": [
              "sharing"
            ],
            "x-auth": "user",
            "responses": {
              "201": {
                "description": "Installed.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AcceptedShareResponse"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "description": "The offer exists but was not made to the caller.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 403
                            },
                            "code": {
                              "enum": [
                                "forbidden"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "404": {
                "description": "`share_not_found`: no open offer with this id for the caller; or the offered plugin or version left the catalog.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "share_not_found",
                                "plugin_not_found",
                                "version_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "`already_installed`: the recipient has the plugin. `operation_in_progress`: another operation on this (user, plugin) is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "already_installed",
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "422": {
                "description": "`dependency_unsatisfied`: no catalog version satisfies a dependency range, or the change would break a range of another installed plugin. `invalid_package`: the package fails validation.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 422
                            },
                            "code": {
                              "enum": [
                                "dependency_unsatisfied",
                                "invalid_package"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              },
              "507": {
                "$ref": "#/components/responses/InsufficientStorage"
              }
            }
          }
        },
        "/api/plugins/shared/{share_id}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ShareId"
            }
          ],
          "delete": {
            "operationId": "closeShare",
            "summary": "Decline or withdraw an offer",
            "description": "The recipient declines the offer; the sender withdraws it.",
            "tags": [
              "sharing"
            ],
            "x-auth": "user",
            "responses": {
              "200": {
                "description": "Declined or withdrawn.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/ShareClosedResponse"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "description": "The offer exists but the caller is neither its recipient nor its sender.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 403
                            },
                            "code": {
                              "enum": [
                                "forbidden"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "404": {
                "description": "No open offer with this id.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "share_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/bulk-install": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "bulkInstall",
            "summary": "Install for several users (admin)",
            "description": "Installs the plugin for each of `user_ids`; one result per user.",
            "tags": [
              "admin"
            ],
            "x-auth": "admin",
            "requestBody": {
              "required": true,
              "description": "The users and an optional version.",
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/BulkInstallRequest"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "One result per user.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/BulkResultResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`, `invalid_version`, or an empty or invalid `user_ids` (`bad_request`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug",
                                "invalid_version"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "404": {
                "description": "No such plugin, or no such version of it.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "plugin_not_found",
                                "version_not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/{slug}/bulk-uninstall": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Slug"
            }
          ],
          "post": {
            "operationId": "bulkUninstall",
            "summary": "Uninstall for several users (admin)",
            "description": "Uninstalls the plugin for each of `user_ids`; one result per user.",
            "tags": [
              "admin"
            ],
            "x-auth": "admin",
            "requestBody": {
              "required": true,
              "description": "The users.",
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/BulkUninstallRequest"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "One result per user.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/BulkResultResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "`invalid_slug`, or an empty or invalid `user_ids` (`bad_request`).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request",
                                "invalid_slug"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/users/{user_id}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/UserIdPath"
            }
          ],
          "delete": {
            "operationId": "purgeUser",
            "summary": "Purge every install of a deleted user (admin)",
            "description": "Uninstalls every plugin of the user and removes their shares.",
            "tags": [
              "admin"
            ],
            "x-auth": "admin",
            "responses": {
              "200": {
                "description": "Purged.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/PurgeResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "The user id is not valid.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "$ref": "#/components/responses/Forbidden"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "409": {
                "description": "An operation on one of the user's plugins is running.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "operation_in_progress"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "413": {
                "$ref": "#/components/responses/PayloadTooLarge"
              },
              "415": {
                "$ref": "#/components/responses/UnsupportedMediaType"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/audit": {
          "get": {
            "operationId": "listAudit",
            "summary": "Lifecycle events",
            "description": "Lifecycle events, newest first, one page at a time. A user sees their own; an admin sees every user's.",
            "tags": [
              "audit"
            ],
            "x-auth": "user",
            "parameters": [
              {
                "$ref": "#/components/parameters/AuditLimit"
              },
              {
                "$ref": "#/components/parameters/AuditCursor"
              },
              {
                "$ref": "#/components/parameters/AuditUserId"
              }
            ],
            "responses": {
              "200": {
                "description": "One page of events.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AuditPageResponse"
                    }
                  }
                }
              },
              "400": {
                "description": "A bad `limit`, `cursor` or `user_id`.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "bad_request"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "403": {
                "description": "`user_id` names another user and the caller is not an admin.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "type": "object",
                          "properties": {
                            "status": {
                              "const": 403
                            },
                            "code": {
                              "enum": [
                                "forbidden"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/health": {
          "get": {
            "operationId": "getHealth",
            "summary": "Worker and database liveness",
            "description": "Public. 503 `unavailable` when the database or catalog cannot be read.",
            "tags": [
              "service"
            ],
            "x-auth": "public",
            "security": [
              {},
              {
                "bearerAuth": []
              }
            ],
            "responses": {
              "200": {
                "description": "Alive.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/HealthDataResponse"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "503": {
                "$ref": "#/components/responses/ServiceUnavailable"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        },
        "/api/plugins/openapi.json": {
          "get": {
            "operationId": "getOpenAPIDocument",
            "summary": "This document",
            "description": "The OpenAPI 3.1 document of the contract. Public.",
            "tags": [
              "service"
            ],
            "x-auth": "public",
            "security": [
              {},
              {
                "bearerAuth": []
              }
            ],
            "responses": {
              "200": {
                "description": "The document (not wrapped in the success envelope).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/X-Request-Id"
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "openapi",
                        "info",
                        "paths"
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "405": {
                "$ref": "#/components/responses/MethodNotAllowed"
              },
              "429": {
                "$ref": "#/components/responses/TooManyRequests"
              },
              "500": {
                "$ref": "#/components/responses/InternalError"
              },
              "502": {
                "$ref": "#/components/responses/BadGateway"
              },
              "504": {
                "$ref": "#/components/responses/GatewayTimeout"
              }
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "HS256 with the configured secret (default), or RS256 / ES256 / EdDSA with a configured public key; the token's `alg` must match the key's kind (`none` and others refused). `exp` required; `nbf`/`iat` honoured with a leeway (default 60 s); `iss`/`aud` checked when configured. The user id is `sub` with hyphens removed, then `^[A-Za-z0-9_]{1,64}$`. Refresh tokens (`\"refresh\": true`, or `type`/`token_type` `\"refresh\"`) are refused. Admin: `\"is_admin\": true` or `roles` containing `\"admin\"`."
          }
        },
        "schemas": {
          "Slug": {
            "type": "string",
            "description": "A canonical plugin slug: lowercase, `-` written as `_`.",
            "pattern": "^[a-z0-9][a-z0-9_]{0,63}$",
            "examples": [
              "braindrive_network"
            ]
          },
          "UserId": {
            "type": "string",
            "description": "A user id: the JWT `sub` with hyphens removed.",
            "pattern": "^[A-Za-z0-9_]{1,64}$",
            "examples": [
              "user123"
            ]
          },
          "Version": {
            "type": "string",
            "description": "A semantic version (semver 2.0).",
            "examples": [
              "1.0.0"
            ]
          },
          "VersionRange": {
            "type": "string",
            "description": "An npm-style version range.",
            "examples": [
              "^1.0.0"
            ]
          },
          "PluginId": {
            "type": "string",
            "description": "`{user_id}_{slug}`.",
            "examples": [
              "user123_braindrive_network"
            ]
          },
          "ModuleId": {
            "type": "string",
            "description": "`{plugin_id}_{ModuleName}`.",
            "examples": [
              "user123_braindrive_network_ComponentNetworkStatus"
            ]
          },
          "Dependencies": {
            "type": "object",
            "description": "Dependency slug (canonical) → version range.",
            "propertyNames": {
              "$ref": "#/components/schemas/Slug"
            },
            "additionalProperties": {
              "$ref": "#/components/schemas/VersionRange"
            }
          },
          "Health": {
            "type": "string",
            "description": "Health of a user's copy of a plugin.",
            "enum": [
              "not_installed",
              "healthy",
              "files_missing",
              "files_modified",
              "modules_corrupted"
            ]
          },
          "ShareId": {
            "type": "string",
            "description": "The id of a share offer."
          },
          "SuccessEnvelope": {
            "type": "object",
            "description": "Every 200/201 body: `{\"status\": \"success\", \"message\", \"data\"}`.",
            "properties": {
              "status": {
                "const": "success"
              },
              "message": {
                "type": "string",
                "description": "A human-readable summary.",
                "examples": [
                  "Plugin 'braindrive_network' installed"
                ]
              },
              "data": {
                "description": "The route's result; each route narrows it to its own shape."
              }
            },
            "required": [
              "status",
              "message",
              "data"
            ]
          },
          "Problem": {
            "type": "object",
            "description": "An RFC 9457 problem (`application/problem+json`): the only error shape, also for the errors nginx itself produces (413, 429, 502, 504).",
            "properties": {
              "type": {
                "type": "string",
                "description": "Always `about:blank`.",
                "format": "uri-reference",
                "examples": [
                  "about:blank"
                ]
              },
              "title": {
                "type": "string",
                "description": "The HTTP reason phrase.",
                "examples": [
                  "Conflict"
                ]
              },
              "status": {
                "type": "integer",
                "description": "The HTTP status code.",
                "minimum": 400,
                "maximum": 599
              },
              "code": {
                "type": "string",
                "description": "The stable, machine-readable error code (see the error table).",
                "enum": [
                  "bad_request",
                  "invalid_slug",
                  "invalid_version",
                  "missing_token",
                  "invalid_token",
                  "expired_token",
                  "forbidden",
                  "plugin_not_found",
                  "version_not_found",
                  "not_installed",
                  "share_not_found",
                  "not_found",
                  "method_not_allowed",
                  "already_installed",
                  "operation_in_progress",
                  "dependency_in_use",
                  "payload_too_large",
                  "unsupported_media_type",
                  "dependency_unsatisfied",
                  "invalid_package",
                  "rate_limited",
                  "internal",
                  "unavailable",
                  "storage_unavailable",
                  "insufficient_storage"
                ]
              },
              "detail": {
                "type": "string",
                "description": "A human-readable explanation; never a stack trace or an absolute path."
              },
              "instance": {
                "type": "string",
                "description": "The request path.",
                "examples": [
                  "/api/plugins/braindrive-network/install"
                ]
              },
              "request_id": {
                "type": "string",
                "description": "The request id, as in the `X-Request-Id` header."
              }
            },
            "required": [
              "type",
              "title",
              "status",
              "code",
              "detail",
              "instance",
              "request_id"
            ]
          },
          "AvailablePlugin": {
            "type": "object",
            "properties": {
              "slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "name": {
                "type": "string"
              },
              "version": {
                "$ref": "#/components/schemas/Version",
                "description": "The latest version."
              },
              "versions": {
                "type": "array",
                "description": "Every version in the catalog.",
                "items": {
                  "$ref": "#/components/schemas/Version"
                }
              },
              "description": {
                "type": "string"
              },
              "author": {
                "type": "string"
              },
              "modules_count": {
                "type": "integer",
                "minimum": 0
              },
              "dependencies": {
                "$ref": "#/components/schemas/Dependencies"
              },
              "installed": {
                "type": "boolean",
                "description": "Only with a token: whether the caller has it installed."
              },
              "installed_version": {
                "$ref": "#/components/schemas/Version",
                "description": "Only with a token, when installed: the caller's version."
              }
            },
            "required": [
              "slug",
              "name",
              "version",
              "versions",
              "modules_count",
              "dependencies"
            ]
          },
          "Available": {
            "type": "object",
            "properties": {
              "available_plugins": {
                "type": "object",
                "description": "Keyed by canonical slug, as BrainDrive's frontend expects.",
                "propertyNames": {
                  "$ref": "#/components/schemas/Slug"
                },
                "additionalProperties": {
                  "$ref": "#/components/schemas/AvailablePlugin"
                }
              },
              "total_count": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "available_plugins",
              "total_count"
            ]
          },
          "PluginManifest": {
            "type": "object",
            "description": "The latest version's `plugin.json` as published (unknown keys kept), plus `versions`.",
            "properties": {
              "slug": {
                "type": "string"
              },
              "name": {
                "type": "string"
              },
              "version": {
                "$ref": "#/components/schemas/Version"
              },
              "description": {
                "type": "string"
              },
              "author": {
                "type": "string"
              },
              "scope": {
                "type": "string"
              },
              "bundle_location": {
                "type": "string"
              },
              "modules": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"
                    }
                  },
                  "required": [
                    "name"
                  ]
                }
              },
              "dependencies": {
                "$ref": "#/components/schemas/Dependencies"
              },
              "versions": {
                "type": "array",
                "description": "Every version in the catalog.",
                "items": {
                  "$ref": "#/components/schemas/Version"
                }
              }
            },
            "required": [
              "slug",
              "name",
              "version",
              "versions"
            ]
          },
          "PluginInfo": {
            "type": "object",
            "properties": {
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "plugin_info": {
                "$ref": "#/components/schemas/PluginManifest"
              },
              "installation_type": {
                "const": "user-scoped"
              },
              "supports_lifecycle": {
                "const": true
              }
            },
            "required": [
              "plugin_slug",
              "plugin_info",
              "installation_type",
              "supports_lifecycle"
            ]
          },
          "Install": {
            "type": "object",
            "properties": {
              "plugin_id": {
                "$ref": "#/components/schemas/PluginId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "version": {
                "$ref": "#/components/schemas/Version"
              },
              "modules_created": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ModuleId"
                }
              },
              "plugin_directory": {
                "type": "string",
                "description": "`plugins/{user_id}/{slug}`, relative to the data directory.",
                "examples": [
                  "plugins/user123/braindrive_network"
                ]
              },
              "dependencies_installed": {
                "type": "array",
                "description": "Dependencies installed in the same all-or-nothing step.",
                "items": {
                  "$ref": "#/components/schemas/Slug"
                }
              }
            },
            "required": [
              "plugin_id",
              "plugin_slug",
              "version",
              "modules_created",
              "plugin_directory",
              "dependencies_installed"
            ]
          },
          "Uninstall": {
            "type": "object",
            "properties": {
              "plugin_id": {
                "$ref": "#/components/schemas/PluginId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "deleted_modules": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ModuleId"
                }
              },
              "uninstalled": {
                "type": "array",
                "description": "The named plugin and, with `cascade=true`, its dependents.",
                "items": {
                  "$ref": "#/components/schemas/Slug"
                }
              }
            },
            "required": [
              "plugin_id",
              "plugin_slug",
              "deleted_modules",
              "uninstalled"
            ]
          },
          "Status": {
            "type": "object",
            "properties": {
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "exists": {
                "type": "boolean"
              },
              "status": {
                "$ref": "#/components/schemas/Health"
              },
              "plugin_id": {
                "$ref": "#/components/schemas/PluginId"
              },
              "version": {
                "$ref": "#/components/schemas/Version"
              },
              "enabled": {
                "type": "boolean",
                "description": "Present when installed; a disabled plugin keeps its health checks."
              },
              "files_exist": {
                "type": "boolean"
              },
              "files": {
                "type": "object",
                "description": "File paths are relative to the plugin's folder.",
                "properties": {
                  "expected": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "missing": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "modified": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                },
                "required": [
                  "expected",
                  "missing",
                  "modified"
                ]
              },
              "modules_status": {
                "type": "object",
                "properties": {
                  "all_loaded": {
                    "type": "boolean"
                  },
                  "loaded_count": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "expected_count": {
                    "type": "integer",
                    "minimum": 0
                  }
                },
                "required": [
                  "all_loaded",
                  "loaded_count",
                  "expected_count"
                ]
              }
            },
            "required": [
              "plugin_slug",
              "exists",
              "status",
              "files_exist",
              "files",
              "modules_status"
            ]
          },
          "Repair": {
            "type": "object",
            "properties": {
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "old_status": {
                "$ref": "#/components/schemas/Health"
              },
              "new_status": {
                "$ref": "#/components/schemas/Health"
              },
              "repair_actions": {
                "type": "array",
                "description": "Empty when the plugin was already healthy.",
                "items": {
                  "type": "string"
                }
              }
            },
            "required": [
              "plugin_slug",
              "old_status",
              "new_status",
              "repair_actions"
            ]
          },
          "Update": {
            "type": "object",
            "description": "Updating to the installed version is a 200 with equal versions and no change.",
            "properties": {
              "plugin_id": {
                "$ref": "#/components/schemas/PluginId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "previous_version": {
                "$ref": "#/components/schemas/Version"
              },
              "new_version": {
                "$ref": "#/components/schemas/Version"
              },
              "modules_added": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ModuleId"
                }
              },
              "modules_removed": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ModuleId"
                }
              }
            },
            "required": [
              "plugin_id",
              "plugin_slug",
              "previous_version",
              "new_version",
              "modules_added",
              "modules_removed"
            ]
          },
          "Versions": {
            "type": "object",
            "properties": {
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "latest": {
                "$ref": "#/components/schemas/Version"
              },
              "versions": {
                "type": "array",
                "description": "Newest first by semver.",
                "items": {
                  "type": "object",
                  "properties": {
                    "version": {
                      "$ref": "#/components/schemas/Version"
                    },
                    "dependencies": {
                      "$ref": "#/components/schemas/Dependencies"
                    }
                  },
                  "required": [
                    "version",
                    "dependencies"
                  ]
                }
              }
            },
            "required": [
              "plugin_slug",
              "latest",
              "versions"
            ]
          },
          "Installed": {
            "type": "object",
            "properties": {
              "installed_plugins": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "plugin_slug": {
                      "$ref": "#/components/schemas/Slug"
                    },
                    "plugin_id": {
                      "$ref": "#/components/schemas/PluginId"
                    },
                    "version": {
                      "$ref": "#/components/schemas/Version"
                    },
                    "latest_version": {
                      "$ref": "#/components/schemas/Version",
                      "description": "Absent when the package has left the catalog."
                    },
                    "update_available": {
                      "type": "boolean"
                    },
                    "enabled": {
                      "type": "boolean"
                    },
                    "status": {
                      "$ref": "#/components/schemas/Health"
                    },
                    "installed_at": {
                      "type": "string",
                      "description": "UTC timestamp, e.g. `2026-11-26T08:15:00.123Z`.",
                      "format": "date-time"
                    },
                    "modules": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ModuleId"
                      }
                    },
                    "disabled_modules": {
                      "type": "array",
                      "description": "The ids of `modules` switched off (`…/modules/{module}/disable`); the others are on.",
                      "items": {
                        "$ref": "#/components/schemas/ModuleId"
                      }
                    }
                  },
                  "required": [
                    "plugin_slug",
                    "plugin_id",
                    "version",
                    "update_available",
                    "enabled",
                    "status",
                    "installed_at",
                    "modules"
                  ]
                }
              },
              "total_count": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "installed_plugins",
              "total_count"
            ]
          },
          "EnabledState": {
            "type": "object",
            "description": "Idempotent: switching to the current state is a 200 with no change.",
            "properties": {
              "plugin_id": {
                "$ref": "#/components/schemas/PluginId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "enabled": {
                "type": "boolean"
              },
              "modules": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "module_id": {
                      "$ref": "#/components/schemas/ModuleId"
                    },
                    "name": {
                      "type": "string",
                      "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"
                    },
                    "enabled": {
                      "type": "boolean"
                    }
                  },
                  "required": [
                    "module_id",
                    "name",
                    "enabled"
                  ]
                }
              }
            },
            "required": [
              "plugin_id",
              "plugin_slug",
              "enabled",
              "modules"
            ]
          },
          "Updates": {
            "type": "object",
            "properties": {
              "available_updates": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "plugin_slug": {
                      "$ref": "#/components/schemas/Slug"
                    },
                    "plugin_id": {
                      "$ref": "#/components/schemas/PluginId"
                    },
                    "current_version": {
                      "$ref": "#/components/schemas/Version"
                    },
                    "latest_version": {
                      "$ref": "#/components/schemas/Version"
                    }
                  },
                  "required": [
                    "plugin_slug",
                    "plugin_id",
                    "current_version",
                    "latest_version"
                  ]
                }
              },
              "total_count": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "available_updates",
              "total_count"
            ]
          },
          "Share": {
            "type": "object",
            "properties": {
              "share_id": {
                "$ref": "#/components/schemas/ShareId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "version": {
                "$ref": "#/components/schemas/Version"
              },
              "from_user": {
                "$ref": "#/components/schemas/UserId"
              },
              "to_user": {
                "$ref": "#/components/schemas/UserId"
              },
              "created_at": {
                "type": "string",
                "description": "UTC timestamp, e.g. `2026-11-26T08:15:00.123Z`.",
                "format": "date-time"
              }
            },
            "required": [
              "share_id",
              "plugin_slug",
              "version",
              "from_user",
              "to_user",
              "created_at"
            ]
          },
          "Shares": {
            "type": "object",
            "description": "The offers just made.",
            "properties": {
              "shares": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Share"
                }
              }
            },
            "required": [
              "shares"
            ]
          },
          "SharedList": {
            "type": "object",
            "description": "Open offers made to the caller; accepted, declined and withdrawn offers leave the list.",
            "properties": {
              "shares": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Share"
                }
              },
              "total_count": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "shares",
              "total_count"
            ]
          },
          "AcceptedShare": {
            "description": "The install shape plus `share_id`.",
            "allOf": [
              {
                "$ref": "#/components/schemas/Install"
              },
              {
                "type": "object",
                "properties": {
                  "share_id": {
                    "$ref": "#/components/schemas/ShareId"
                  }
                },
                "required": [
                  "share_id"
                ]
              }
            ]
          },
          "ShareClosed": {
            "type": "object",
            "description": "`declined` when the recipient deletes it, `withdrawn` when the sender does.",
            "properties": {
              "share_id": {
                "$ref": "#/components/schemas/ShareId"
              },
              "state": {
                "type": "string",
                "enum": [
                  "declined",
                  "withdrawn"
                ]
              }
            },
            "required": [
              "share_id",
              "state"
            ]
          },
          "BulkResult": {
            "type": "object",
            "description": "One result per requested user, and the counts of each kind.",
            "properties": {
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "results": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "user_id": {
                      "$ref": "#/components/schemas/UserId"
                    },
                    "outcome": {
                      "type": "string",
                      "enum": [
                        "installed",
                        "already_installed",
                        "uninstalled",
                        "not_installed",
                        "failed"
                      ]
                    },
                    "code": {
                      "$ref": "#/components/schemas/Problem/properties/code",
                      "description": "When present: the problem code behind the outcome (e.g. for `failed`)."
                    },
                    "detail": {
                      "type": "string",
                      "description": "For `failed`: what went wrong."
                    }
                  },
                  "required": [
                    "user_id",
                    "outcome"
                  ]
                }
              },
              "succeeded": {
                "type": "integer",
                "minimum": 0
              },
              "failed": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "plugin_slug",
              "results",
              "succeeded",
              "failed"
            ]
          },
          "Purge": {
            "type": "object",
            "properties": {
              "user_id": {
                "$ref": "#/components/schemas/UserId"
              },
              "uninstalled": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Slug"
                }
              },
              "shares_removed": {
                "type": "integer",
                "minimum": 0
              }
            },
            "required": [
              "user_id",
              "uninstalled",
              "shares_removed"
            ]
          },
          "AuditEvent": {
            "type": "object",
            "properties": {
              "id": {
                "type": "integer",
                "format": "int64"
              },
              "at": {
                "type": "string",
                "description": "UTC timestamp, e.g. `2026-11-26T08:15:00.123Z`.",
                "format": "date-time"
              },
              "actor": {
                "type": "string",
                "description": "Who acted: a user id, or `cli` for the command line."
              },
              "user_id": {
                "$ref": "#/components/schemas/UserId"
              },
              "plugin_slug": {
                "$ref": "#/components/schemas/Slug"
              },
              "action": {
                "type": "string",
                "examples": [
                  "install"
                ]
              },
              "from_version": {
                "$ref": "#/components/schemas/Version"
              },
              "to_version": {
                "$ref": "#/components/schemas/Version"
              },
              "outcome": {
                "type": "string",
                "examples": [
                  "success"
                ]
              },
              "request_id": {
                "type": "string"
              }
            },
            "required": [
              "id",
              "at",
              "actor",
              "user_id",
              "action",
              "outcome"
            ]
          },
          "AuditPage": {
            "type": "object",
            "properties": {
              "events": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/AuditEvent"
                }
              },
              "next_cursor": {
                "type": [
                  "string",
                  "null"
                ],
                "description": "Pass as `cursor` for the next page; `null` at the end."
              }
            },
            "required": [
              "events",
              "next_cursor"
            ]
          },
          "HealthData": {
            "type": "object",
            "properties": {
              "database": {
                "const": "ok"
              },
              "catalog": {
                "const": "ok"
              },
              "worker_pid": {
                "type": "integer",
                "description": "The pid of the worker that answered.",
                "minimum": 1
              }
            },
            "required": [
              "database",
              "catalog",
              "worker_pid"
            ]
          },
          "VersionRequest": {
            "type": "object",
            "properties": {
              "version": {
                "$ref": "#/components/schemas/Version",
                "description": "A version in the catalog; default: the latest. Not a semantic version: 400 `invalid_version`."
              }
            }
          },
          "ShareRequest": {
            "type": "object",
            "properties": {
              "user_ids": {
                "type": "array",
                "minItems": 1,
                "items": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9_-]+$"
                },
                "description": "Recipients. Hyphens are removed from each, which must then be a valid user id; an empty or invalid list gets 400 `bad_request`."
              }
            },
            "required": [
              "user_ids"
            ]
          },
          "BulkInstallRequest": {
            "type": "object",
            "properties": {
              "user_ids": {
                "type": "array",
                "minItems": 1,
                "items": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9_-]+$"
                },
                "description": "The users to act for; an empty or invalid list gets 400 `bad_request`."
              },
              "version": {
                "$ref": "#/components/schemas/Version",
                "description": "Default: the latest."
              }
            },
            "required": [
              "user_ids"
            ]
          },
          "BulkUninstallRequest": {
            "type": "object",
            "properties": {
              "user_ids": {
                "type": "array",
                "minItems": 1,
                "items": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9_-]+$"
                },
                "description": "The users to act for; an empty or invalid list gets 400 `bad_request`."
              }
            },
            "required": [
              "user_ids"
            ]
          },
          "AvailableResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Available"
                  }
                }
              }
            ]
          },
          "PluginInfoResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/PluginInfo"
                  }
                }
              }
            ]
          },
          "VersionsResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Versions"
                  }
                }
              }
            ]
          },
          "InstallResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Install"
                  }
                }
              }
            ]
          },
          "UninstallResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Uninstall"
                  }
                }
              }
            ]
          },
          "StatusResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Status"
                  }
                }
              }
            ]
          },
          "RepairResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Repair"
                  }
                }
              }
            ]
          },
          "UpdateResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Update"
                  }
                }
              }
            ]
          },
          "EnabledStateResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/EnabledState"
                  }
                }
              }
            ]
          },
          "InstalledResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Installed"
                  }
                }
              }
            ]
          },
          "UpdatesResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Updates"
                  }
                }
              }
            ]
          },
          "SharesResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Shares"
                  }
                }
              }
            ]
          },
          "SharedListResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/SharedList"
                  }
                }
              }
            ]
          },
          "AcceptedShareResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/AcceptedShare"
                  }
                }
              }
            ]
          },
          "ShareClosedResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/ShareClosed"
                  }
                }
              }
            ]
          },
          "BulkResultResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/BulkResult"
                  }
                }
              }
            ]
          },
          "PurgeResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/Purge"
                  }
                }
              }
            ]
          },
          "AuditPageResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/AuditPage"
                  }
                }
              }
            ]
          },
          "HealthDataResponse": {
            "allOf": [
              {
                "$ref": "#/components/schemas/SuccessEnvelope"
              },
              {
                "type": "object",
                "properties": {
                  "data": {
                    "$ref": "#/components/schemas/HealthData"
                  }
                }
              }
            ]
          }
        },
        "parameters": {
          "Slug": {
            "name": "slug",
            "in": "path",
            "required": true,
            "description": "The plugin slug, matched case-insensitively with `-` equal to `_` (`braindrive-network`, `BrainDrive_Network` and `braindrive_network` name one plugin). The service canonicalises it to lowercase with underscores, which must match `^[a-z0-9][a-z0-9_]{0,63}$`; any other slug (`..`, `%2e%2e`, `/`, NUL, …) gets 400 `invalid_slug` before anything is looked up.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
              "examples": [
                "braindrive-network"
              ]
            }
          },
          "Module": {
            "name": "module",
            "in": "path",
            "required": true,
            "description": "A module name of the plugin (as in `plugin.json`), e.g. `ComponentNetworkStatus`. An unknown module gets 404 `not_found`.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"
            }
          },
          "ShareId": {
            "name": "share_id",
            "in": "path",
            "required": true,
            "description": "The id of a share offer.",
            "schema": {
              "$ref": "#/components/schemas/ShareId"
            }
          },
          "UserIdPath": {
            "name": "user_id",
            "in": "path",
            "required": true,
            "description": "The user to purge. Hyphens are removed (a UUID becomes 32 hex digits), then it must match `^[A-Za-z0-9_]{1,64}$`; otherwise 400 `bad_request`.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_-]+$"
            }
          },
          "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "An `ETag` from an earlier answer (or `*`): a match gets 304 with no body.",
            "schema": {
              "type": "string"
            }
          },
          "Verify": {
            "name": "verify",
            "in": "query",
            "required": false,
            "description": "Absent: compare every file's presence and size with what was installed. `full`: also compare SHA-256. Another value gets 400 `bad_request`.",
            "schema": {
              "type": "string",
              "enum": [
                "full"
              ]
            }
          },
          "Cascade": {
            "name": "cascade",
            "in": "query",
            "required": false,
            "description": "`true`: also uninstall the caller's plugins that depend on this one (otherwise 409 `dependency_in_use`). Another value than `true`/`false` gets 400 `bad_request`.",
            "schema": {
              "type": "boolean",
              "default": false
            }
          },
          "AuditLimit": {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Events per page.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          "AuditCursor": {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "The `next_cursor` of the previous page (opaque); one the service did not give gets 400 `bad_request`.",
            "schema": {
              "type": "string"
            }
          },
          "AuditUserId": {
            "name": "user_id",
            "in": "query",
            "required": false,
            "description": "Whose events: a user may name only themselves (another id gets 403 `forbidden`); an admin may name anyone. Absent: the caller's own events, or every user's for an admin.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9_-]+$"
            }
          }
        },
        "headers": {
          "X-Request-Id": {
            "description": "The request id (nginx's `$request_id` when present); on every response.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          "ETag": {
            "description": "A strong entity tag of the body; send it back in `If-None-Match`.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          "Vary": {
            "description": "`Authorization`: the answer may depend on the caller.",
            "schema": {
              "type": "string"
            }
          },
          "WWW-Authenticate": {
            "description": "`Bearer realm=\"plugins\"` for `missing_token` (no error code, RFC 6750 §3.1); `Bearer realm=\"plugins\", error=\"invalid_token\"` for `invalid_token` and `expired_token`.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          "Allow": {
            "description": "The methods this path accepts, comma-separated.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": true,
            "schema": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "responses": {
          "Unauthorized": {
            "description": "No bearer token (`missing_token`), an expired one (`expired_token`), or any other refusal (`invalid_token`): bad signature, wrong or `none` algorithm, `nbf`/`iat` in the future, no `exp` or `sub`, a user id that is not valid, a refresh token, a malformed token. A token sent to a public route is verified too.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "WWW-Authenticate": {
                "$ref": "#/components/headers/WWW-Authenticate"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 401
                        },
                        "code": {
                          "enum": [
                            "missing_token",
                            "invalid_token",
                            "expired_token"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "Forbidden": {
            "description": "The route needs admin rights (`\"is_admin\": true` or a `roles` array containing `\"admin\"`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 403
                        },
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "MethodNotAllowed": {
            "description": "Another method was used on this path; `Allow` lists the ones it accepts.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "Allow": {
                "$ref": "#/components/headers/Allow"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 405
                        },
                        "code": {
                          "enum": [
                            "method_not_allowed"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "PayloadTooLarge": {
            "description": "The body is over the configured limit (default 1 MiB); may come from nginx.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 413
                        },
                        "code": {
                          "enum": [
                            "payload_too_large"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "UnsupportedMediaType": {
            "description": "A non-empty body that is not `application/json` (or `+json`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 415
                        },
                        "code": {
                          "enum": [
                            "unsupported_media_type"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "TooManyRequests": {
            "description": "nginx's per-client rate limit.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 429
                        },
                        "code": {
                          "enum": [
                            "rate_limited"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "InternalError": {
            "description": "A bug; logged with the request id.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 500
                        },
                        "code": {
                          "enum": [
                            "internal"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "BadGateway": {
            "description": "nginx reached no worker.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 502
                        },
                        "code": {
                          "enum": [
                            "unavailable"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "ServiceUnavailable": {
            "description": "`unavailable`: the database stayed locked past its timeout. `storage_unavailable`: the data directory is not writable (permissions, read-only mount); no path is given.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 503
                        },
                        "code": {
                          "enum": [
                            "unavailable",
                            "storage_unavailable"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "GatewayTimeout": {
            "description": "No worker answered in time (nginx).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 504
                        },
                        "code": {
                          "enum": [
                            "unavailable"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "InsufficientStorage": {
            "description": "The disk filled up during the operation, which was rolled back.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "status": {
                          "const": 507
                        },
                        "code": {
                          "enum": [
                            "insufficient_storage"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "NotModified": {
            "description": "The `If-None-Match` tag matches: no body.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/X-Request-Id"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              },
              "Vary": {
                "$ref": "#/components/headers/Vary"
              }
            }
          }
        }
      }
    }
    """#
}
