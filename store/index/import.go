package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/imgcrawl/imgcrawl/store"
)

// Import upserts the rows of a manifest (JSON lines, as store.Entry
// writes them) for crawl crawlID, whose files are under out, in
// transactions of DefaultBatch rows. A later line of a URL replaces an
// earlier one; torn and foreign lines are skipped. Importing the same
// manifest again changes nothing. It returns the lines imported.
func (ix *Index) Import(ctx context.Context, crawlID, out string, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var batch []Image
	n := 0
	flush := func() error {
		if err := ix.Upsert(ctx, batch, nil); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		var e store.Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.URL == "" || e.Status == "" {
			continue
		}
		batch = append(batch, ImageOf(crawlID, out, e))
		if len(batch) == DefaultBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("index: read manifest: %w", err)
	}
	return n, flush()
}
