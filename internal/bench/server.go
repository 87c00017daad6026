package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// siteServer is a running testsite process.
type siteServer struct {
	cmd  *exec.Cmd
	base string // "http://127.0.0.1:PORT"
	log  string // the request log file
}

// serverArgs returns the testsite command line for opt.
func serverArgs(opt testsite.Options, large int64, requestLog string) []string {
	return []string{
		"-addr", "127.0.0.1:0",
		"-pages", strconv.Itoa(opt.Pages),
		"-links", strconv.Itoa(opt.LinksPerPage),
		"-images", strconv.Itoa(opt.ImagesPerPage),
		"-distinct", strconv.Itoa(opt.DistinctImages),
		"-image-bytes", strconv.Itoa(opt.ImageBytes),
		"-seed", strconv.FormatInt(opt.Seed, 10),
		"-latency", opt.Latency.String(),
		"-features=" + strconv.FormatBool(opt.Features),
		"-large-image-bytes", strconv.FormatInt(large, 10),
		"-request-log", requestLog,
	}
}

// startServer starts the testsite binary and waits for its "listening" line.
func startServer(bin string, opt testsite.Options, large int64, requestLog string) (*siteServer, error) {
	cmd := exec.Command(bin, serverArgs(opt, large, requestLog)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start testsite: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout) //nolint:errcheck // keep the pipe drained
	}()
	s := &siteServer{cmd: cmd, log: requestLog}
	select {
	case line, ok := <-lines:
		base, found := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if !ok || !found || !strings.HasPrefix(base, "http://") {
			s.stop()
			return nil, fmt.Errorf("bench: testsite printed %q, want \"listening http://...\"", line)
		}
		s.base = strings.TrimSuffix(base, "/")
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, errors.New("bench: testsite did not start within 2 minutes")
	}
	return s, nil
}

// stop ends the server with SIGTERM (SIGKILL after 10 s) and waits for it.
func (s *siteServer) stop() {
	if s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited
	done := make(chan struct{})
	go func() {
		s.cmd.Wait() //nolint:errcheck // exit status of a signalled server is irrelevant
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck // best effort
		<-done
	}
}

// logOffset returns the current size of the request log, to read what the
// next run requests.
func (s *siteServer) logOffset() int64 {
	fi, err := os.Stat(s.log)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// requestsSince counts the requests logged after offset, by method and
// normalized target.
func (s *siteServer) requestsSince(offset int64) (map[string]int, error) {
	f, err := os.Open(s.log)
	if err != nil {
		return nil, fmt.Errorf("bench: request log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("bench: request log: %w", err)
	}
	return countRequests(f)
}

// countRequests parses request log lines ("METHOD TARGET [RANGE]", fields
// separated by spaces or tabs) into counts keyed by "METHOD TARGET".
func countRequests(r io.Reader) (map[string]int, error) {
	counts := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		counts[f[0]+" "+f[1]]++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: request log: %w", err)
	}
	return counts, nil
}
