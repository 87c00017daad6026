package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// errNoRedis marks a redis workload that cannot run on this machine.
var errNoRedis = errors.New("redis-server not found (apt-get install -y redis-server)")

// redisServer is a redis-server child process with no persistence.
type redisServer struct {
	cmd  *exec.Cmd
	done chan struct{}
	url  string // redis://127.0.0.1:PORT/0
}

// startRedis starts redis-server on a free loopback port, keeping its files
// and log in dir, and waits until it answers PING.
func startRedis(dir string) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errNoRedis
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: find a port for redis: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	logPath := filepath.Join(dir, "redis-"+port+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--save", "", "--appendonly", "no", "--dir", dir, "--port", port,
		"--bind", "127.0.0.1", "--daemonize", "no", "--protected-mode", "no")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start redis-server: %w", err)
	}
	r := &redisServer{cmd: cmd, done: make(chan struct{}), url: "redis://" + addr + "/0"}
	go func() {
		cmd.Wait() //nolint:errcheck // a stopped server's status does not matter
		close(r.done)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if benchPing(addr) == nil {
			return r, nil
		}
		select {
		case <-r.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("bench: redis-server exited at start:\n%s", tail(string(log), 1000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, errors.New("bench: redis-server did not answer PING within 10 s")
		}
	}
}

// stop ends the server (SIGTERM, then SIGKILL after 5 s).
func (r *redisServer) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill() //nolint:errcheck // best effort
		<-r.done
	}
}

// benchPing sends an inline PING and wants +PONG.
func benchPing(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second)) //nolint:errcheck // a fresh conn
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// runShared runs procs crawler processes at once, each with args (a
// subcommand and its flags) plus its own -o folder under out, and returns one measure for the group: wall time
// from the first start to the last exit, the sum of CPU times, the largest
// peak RSS, and every process's stderr.
func runShared(e *env, procs int, out string, args []string) (measure, []string, error) {
	ms := make([]measure, procs)
	errs := make([]error, procs)
	dirs := make([]string, procs)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range procs {
		dirs[i] = filepath.Join(out, "w"+strconv.Itoa(i))
		wg.Go(func() {
			a := append([]string{args[0], "-o", dirs[i]}, args[1:]...)
			ms[i], errs[i] = runChild(e, e.bin("imgcrawl"), a...)
		})
	}
	wg.Wait()
	group := measure{wall: time.Since(start)}
	for i, m := range ms {
		group.cpu += m.cpu
		group.rssKiB = max(group.rssKiB, m.rssKiB)
		group.stderr += m.stderr
		if errs[i] != nil {
			return group, dirs, errs[i]
		}
	}
	return group, dirs, nil
}
