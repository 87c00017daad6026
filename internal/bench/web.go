package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The web workload crawls real HTML nobody here wrote: documentation trees
// that Debian packages install under /usr/share/doc, served by nginx (or by
// Go's file server when nginx is missing) on loopback. Its baseline is
// `wget -r -p`, the tool users compare a crawler with, on the same site; its
// check is that imgcrawl saves every image wget saves.

// webRoot is the folder the web workload serves.
const webRoot = "/usr/share/doc"

// webTrees are the documentation trees the workload starts from, those of
// them installed: Node.js's API manual (CSS, SVG logos, 60+ large pages),
// libxslt's manual (GIF and PNG figures), valgrind's, pip's and libffi's.
var webTrees = []string{
	"nodejs/api/index.html",
	"libxslt1-dev/html/index.html",
	"valgrind/html/index.html",
	"python3-pip/html/index.html",
	"libffi-dev/html/index.html",
}

// webDepth is deep enough to reach every page of the trees above.
const webDepth = 30

// errNoWeb marks a web workload that cannot run on this machine.
var errNoWeb = errors.New("no documentation tree or no wget on this machine")

// webImageExt are the file extensions counted as images in wget's tree.
var webImageExt = []string{".png", ".gif", ".jpg", ".jpeg", ".svg", ".webp", ".ico", ".bmp", ".avif"}

// webSeeds returns the seed paths of the installed trees.
func webSeeds() []string {
	var seeds []string
	for _, t := range webTrees {
		if _, err := os.Stat(filepath.Join(webRoot, t)); err == nil {
			seeds = append(seeds, t)
		}
	}
	return seeds
}

// webServer is nginx (or an in-process file server) serving webRoot.
type webServer struct {
	base string
	stop func()
	name string
}

// startWebServer serves webRoot on a free loopback port.
func startWebServer(work string) (*webServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	nginx, lookErr := exec.LookPath("nginx")
	if lookErr != nil {
		srv := &http.Server{Handler: http.FileServer(http.Dir(webRoot)), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		return &webServer{base: "http://" + ln.Addr().String(), stop: func() { srv.Close() }, name: "Go's file server (nginx not found)"}, nil
	}
	addr := ln.Addr().String()
	ln.Close()
	dir, err := os.MkdirTemp(work, "nginx-")
	if err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
worker_processes 1;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path %[1]s;
  proxy_temp_path %[1]s;
  fastcgi_temp_path %[1]s;
  uwsgi_temp_path %[1]s;
  scgi_temp_path %[1]s;
  server { listen %[2]s; root %[3]s; }
}
`, dir, addr, webRoot)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(nginx, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: nginx: %w", err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return nil, fmt.Errorf("bench: nginx did not start on %s: %s", addr, log)
		}
	}
	return &webServer{base: "http://" + addr, stop: stop, name: "nginx"}, nil
}

// runWebWorkload runs imgcrawl and wget alternately on the web trees.
func runWebWorkload(e *env, w workload) (*result, error) {
	seeds := webSeeds()
	wget, err := exec.LookPath("wget")
	if len(seeds) == 0 || err != nil {
		return nil, errNoWeb
	}
	srv, err := startWebServer(e.work)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	defer e.onInterrupt(srv.stop)()
	urls := make([]string, len(seeds))
	for i, s := range seeds {
		urls[i] = srv.base + "/" + s
	}
	fmt.Printf("   %s serving %s; seeds: %s\n", srv.name, webRoot, strings.Join(seeds, " "))
	r := &result{w: w, verified: true}
	for i := range e.runs {
		out := filepath.Join(e.downloads, "web-crawl")
		args := append([]string{"crawl", "-d", strconv.Itoa(webDepth), "-c", strconv.Itoa(inFlight),
			"--per-host", strconv.Itoa(inFlight), "-q", "-o", out}, e.extra...)
		m, err := runChild(e, e.bin("imgcrawl"), append(args, urls...)...)
		if err != nil {
			return nil, err
		}
		saved, err := webSaved(filepath.Join(out, "manifest.jsonl"))
		os.RemoveAll(out)
		if err != nil {
			return nil, err
		}
		r.crawl = append(r.crawl, m)

		wout := filepath.Join(e.downloads, "web-wget")
		// wget exits 8 when a page links to a file the server does not
		// have, as the Node.js manual does (its .json links).
		b, err := runChildExit(e, func(code int) bool { return code == 8 }, wget,
			append([]string{"-q", "-r", "-p", "-np", "-l", strconv.Itoa(webDepth), "-P", wout}, urls...)...)
		if err != nil {
			os.RemoveAll(wout)
			return nil, err
		}
		pages, images, bytes, err := webWgetTree(wout)
		os.RemoveAll(wout)
		if err != nil {
			return nil, err
		}
		r.base = append(r.base, b)
		r.plan.pages, r.plan.images, r.plan.bytes = pages, len(images), bytes
		var missed []string
		for _, p := range images {
			if !saved[p] {
				missed = append(missed, p)
			}
		}
		if len(missed) > 0 {
			r.note([]string{fmt.Sprintf("%d of the %d images wget saved are not saved by imgcrawl, e.g. %s", len(missed), len(images), missed[0])})
		}
		extra := len(saved) - (len(images) - len(missed))
		if e.verbose {
			fmt.Printf("   run %d: crawl %.2fs cpu %.2fs rss %.1fMiB, %d images (%d wget did not save) | wget %.2fs cpu %.2fs rss %.1fMiB, %d pages, %d images\n",
				i+1, m.wall.Seconds(), m.cpu.Seconds(), m.rssMiB(), len(saved), extra, b.wall.Seconds(), b.cpu.Seconds(), b.rssMiB(), pages, len(images))
		}
	}
	return r, nil
}

// webSaved reads a manifest and returns the URL paths of the images saved
// (or recognised as duplicates of saved ones).
func webSaved(manifest string) (map[string]bool, error) {
	f, err := os.Open(manifest)
	if err != nil {
		return nil, fmt.Errorf("bench: web: %w", err)
	}
	defer f.Close()
	saved := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			URL    string `json:"url"`
			Status string `json:"status"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || (line.Status != "saved" && line.Status != "duplicate") {
			continue
		}
		if u, err := url.Parse(line.URL); err == nil {
			saved[u.Path] = true
		}
	}
	return saved, sc.Err()
}

// webWgetTree counts the pages and lists the URL paths of the images in the
// tree wget wrote (host folder first), with the bytes of all its files.
func webWgetTree(root string) (pages int, images []string, bytes int64, err error) {
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		bytes += info.Size()
		rel, _ := filepath.Rel(root, p)
		_, urlPath, _ := strings.Cut(filepath.ToSlash(rel), "/") // drop the host folder
		switch ext := strings.ToLower(path.Ext(urlPath)); {
		case ext == ".html" || ext == ".htm":
			pages++
		case slices.Contains(webImageExt, ext):
			images = append(images, "/"+urlPath)
		}
		return nil
	})
	return pages, images, bytes, err
}
