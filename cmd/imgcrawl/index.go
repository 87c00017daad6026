package main

import (
	"context"
	"fmt"
	"time"

	"github.com/imgcrawl/imgcrawl/store/index"
)

// parseIndexFlag checks --index; ok is false when it is empty.
func parseIndexFlag(flag string) (dsn index.DSN, err error) {
	if flag == "" {
		return index.DSN{}, nil
	}
	if dsn, err = index.ParseDSN(flag); err != nil {
		return dsn, usageError{fmt.Errorf("--index: %w", err)}
	}
	return dsn, nil
}

// openIndex opens the index --index names (nil when none), within a
// minute: a database that cannot be reached at the start is an error,
// one that goes away later only pauses the crawl.
func openIndex(dsn index.DSN) (*index.Index, error) {
	if dsn.Dialect == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ix, err := index.OpenDSN(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("--index: %w", err)
	}
	return ix, nil
}
