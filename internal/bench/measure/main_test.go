package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		wantCode int
		minRSS   int64 // KiB
	}{
		{"success", "exit 0", 0, 1},
		{"exit code passed on", "exit 3", 3, 1},
		{"killed by a signal", "kill -9 $$", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := filepath.Join(t.TempDir(), "m.txt")
			code := run([]string{"-o", report, "--", "/bin/sh", "-c", tt.script}, io.Discard)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var wall, cpu, rss int64
			var exit int
			if _, err := fmt.Sscanf(strings.TrimSpace(string(data)), "wall_ns=%d cpu_ns=%d maxrss_kib=%d exit=%d", &wall, &cpu, &rss, &exit); err != nil {
				t.Fatalf("report %q: %v", data, err)
			}
			if wall <= 0 || rss < tt.minRSS {
				t.Errorf("report %q: want a positive wall time and maxrss >= %d KiB", data, tt.minRSS)
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no report file", []string{"--", "/bin/true"}, 2},
		{"no command", []string{"-o", "x"}, 2},
		{"command not found", []string{"-o", filepath.Join(t.TempDir(), "m"), "--", "/nonexistent/cmd"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args, io.Discard); got != tt.want {
				t.Errorf("run(%q) = %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

func TestRunTree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("samples /proc")
	}
	report := filepath.Join(t.TempDir(), "m.txt")
	if code := run([]string{"-o", report, "-tree", "--", "/bin/sh", "-c", "sleep 0.4 & sleep 0.4 & wait"}, io.Discard); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	_, tree, ok := strings.Cut(strings.TrimSpace(string(data)), "tree_pss_kib=")
	if n, err := strconv.Atoi(tree); !ok || err != nil || n <= 0 {
		t.Errorf("report %q: want a positive tree_pss_kib", data)
	}
}
