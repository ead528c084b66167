// Package api holds the OpenAPI description of the /api/v1 JSON API (openapi.yaml).
// The test in this directory keeps it in step with the routes the app registers.
package api

import _ "embed"

// Spec is openapi.yaml, the OpenAPI 3.1 description of the API.
//
//go:embed openapi.yaml
var Spec []byte
