package service

import (
	_ "embed"
	"net/http"
)

// openAPI describes the API (OpenAPI 3.1); TestOpenAPIInStep checks that
// it names every route and nothing else.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}
