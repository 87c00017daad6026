package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/imgcrawl/imgcrawl/internal/sqltest"
)

// indexFor returns how to make a fresh index address for each run of w
// (nil when w has no index), and what stops the database server it
// started.
func indexFor(e *env, w workload) (newIndex func(run int) (string, error), stop func(), err error) {
	switch w.index {
	case "":
		return nil, func() {}, nil
	case "sqlite":
		return func(run int) (string, error) {
			path := filepath.Join(e.work, fmt.Sprintf("index-%s-%d.db", w.name, run))
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(p)
			}
			return "sqlite:" + path, nil
		}, func() {}, nil
	case "mysql":
		dir, err := os.MkdirTemp("", "bench-mdb")
		if err != nil {
			return nil, nil, err
		}
		srv, err := sqltest.LaunchMariaDB(dir)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("bench: %s: %w", w.name, err)
		}
		stopSrv := func() { srv.Stop(); os.RemoveAll(dir) }
		forget := e.onInterrupt(stopSrv)
		stop = func() { forget(); stopSrv() }
		return func(run int) (string, error) {
			return srv.CreateDatabase(fmt.Sprintf("bench_%d", run))
		}, stop, nil
	}
	return nil, nil, fmt.Errorf("bench: %s: unknown index %q", w.name, w.index)
}
