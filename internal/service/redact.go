package service

import (
	"encoding/json"
	"strings"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// listedURLs is how many of a job's URLs its status shows (URLCount says
// how many there are).
const listedURLs = 20

// view returns the record as the API shows it: URLs without credentials
// and only the first listedURLs of them, header values hidden (they may be
// credentials). job.json keeps everything.
func (r Record) view() Record {
	n := min(len(r.URLs), listedURLs)
	urls := make([]string, n)
	for i, u := range r.URLs[:n] {
		urls[i] = fetch.Redact(u)
	}
	r.URLs = urls
	r.Options = redactOptions(r.Options)
	return r
}

// redactOptions hides the values of the header option.
func redactOptions(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || m["header"] == nil {
		return raw
	}
	var hdrs []string
	if json.Unmarshal(m["header"], &hdrs) != nil {
		return raw
	}
	for i, h := range hdrs {
		name, _, _ := strings.Cut(h, ":")
		hdrs[i] = name + ": (hidden)"
	}
	m["header"], _ = json.Marshal(hdrs)
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
