package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
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

// indexCmd groups the index subcommands.
type indexCmd struct {
	Import indexImportCmd `cmd:"" help:"Build or extend an index from the manifests of earlier crawls; running it again changes nothing."`
}

type indexImportCmd struct {
	Index string   `required:"" placeholder:"DSN" help:"The index: sqlite:FILE, mysql://USER:PASS@HOST:PORT/DB or postgres://USER:PASS@HOST:PORT/DB."`
	Out   []string `arg:"" name:"OUT" type:"existingdir" help:"Output folders of earlier crawls (each with its manifest.jsonl)."`
}

func (c *indexImportCmd) Run(e *env) error {
	dsn, err := parseIndexFlag(c.Index)
	if err != nil {
		return err
	}
	for _, out := range c.Out {
		if _, err := os.Stat(filepath.Join(out, "manifest.jsonl")); err != nil {
			return usageError{fmt.Errorf("%s: no manifest.jsonl (not an imgcrawl output folder?)", out)}
		}
	}
	ix, err := openIndex(dsn)
	if err != nil {
		return err
	}
	defer ix.Close()
	for _, out := range c.Out {
		id, err := folderCrawlID(out)
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(out)
		if err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
		if err != nil {
			return err
		}
		n, err := ix.Import(context.Background(), id, abs, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", out, err)
		}
		fmt.Fprintf(e.stdout, "%s: %d images into %s (crawl %s)\n", out, n, ix, id)
	}
	return nil
}

// folderCrawlID is the crawl id of the crawl whose output folder is out:
// its stored state's, so that the folder's crawl, resumed later with
// --index, updates the same rows; without a state, one made from the
// folder's absolute path, the same on every import.
func folderCrawlID(out string) (string, error) {
	path := store.StatePath(out)
	if _, err := os.Stat(path); err == nil {
		st, err := bolt.Open(path, bolt.Options{})
		if err != nil {
			return "", fmt.Errorf("%s: %w (is a crawl running there?)", out, err)
		}
		defer st.Close()
		s, ok, err := crawler.LoadSettings(context.Background(), st)
		if err != nil {
			return "", fmt.Errorf("%s: %w", out, err)
		}
		if ok {
			return s.ID(), nil
		}
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return "import-" + hex.EncodeToString(sum[:8]), nil
}
