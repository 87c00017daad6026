package service

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIInStep: openapi.json documents every API route, with its
// method, and no route the service does not have.
func TestOpenAPIInStep(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	var s Service
	for _, r := range s.apiRoutes() {
		key := strings.ReplaceAll(r.pattern, "...}", "}")
		if !documented[key] {
			t.Errorf("route %s not in openapi.json", r.pattern)
		}
		delete(documented, key)
	}
	if len(documented) > 0 {
		t.Errorf("openapi.json documents routes the service lacks: %v", slices.Sorted(maps.Keys(documented)))
	}
}
