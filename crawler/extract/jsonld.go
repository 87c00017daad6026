package extract

import (
	"encoding/json"
	"mime"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Bounds on the JSON-LD read: a larger script is skipped whole, and image
// fields nested deeper are ignored.
const (
	maxJSONLD      = 1 << 20 // bytes
	maxJSONLDDepth = 32      // open objects and arrays
)

// isJSONLD reports whether n is an HTML <script type="application/ld+json">.
func isJSONLD(n *html.Node) bool {
	if n.DataAtom != atom.Script || n.Namespace != "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(attr(n, "type"))
	return err == nil && mt == "application/ld+json"
}

// The states of an open JSON container, for jsonLD.
const (
	inArray   = iota
	wantKey   // in an object, before a key
	wantValue // in an object, after a key
)

// jsonLD adds the images a JSON-LD script names in its "image" fields,
// anywhere in the document and in document order: a URL, a list of URLs,
// or objects (ImageObject) with a url or contentUrl, or a list of them. It
// reads the JSON as a stream of tokens, so that fields keep their order,
// and stops at the first syntax error, keeping what it found before.
func (w *walker) jsonLD(src string) {
	if len(src) > maxJSONLD {
		return
	}
	dec := json.NewDecoder(strings.NewReader(src))
	var stack []uint8 // the open containers' states, innermost last
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		n := len(stack)
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:n-1]
			continue
		}
		if n > 0 && stack[n-1] == wantKey {
			stack[n-1] = wantValue
			if key, _ := tok.(string); key == "image" && n <= maxJSONLDDepth {
				var v any
				if dec.Decode(&v) != nil {
					return
				}
				w.jsonImages(v, true)
				stack[n-1] = wantKey
			}
			continue
		}
		if n > 0 && stack[n-1] == wantValue {
			stack[n-1] = wantKey
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, wantKey)
		case json.Delim('['):
			stack = append(stack, inArray)
		}
	}
}

// jsonImages adds the images of the value of an "image" field: a URL, an
// object's url and contentUrl, or, when list is set, a list of these.
func (w *walker) jsonImages(v any, list bool) {
	switch v := v.(type) {
	case string:
		w.add(v, true)
	case map[string]any:
		for _, k := range []string{"url", "contentUrl"} {
			if s, ok := v[k].(string); ok {
				w.add(s, true)
			}
		}
	case []any:
		if list {
			for _, e := range v {
				w.jsonImages(e, false)
			}
		}
	}
}
