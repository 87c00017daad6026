package proctest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// All returns every process but zombies; ok is false when /proc cannot
// be read.
func All() (procs []Proc, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, state, ok := stat(pid)
		if !ok || state == "Z" {
			continue
		}
		p := Proc{PID: pid, PPID: ppid}
		if raw, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil {
			for arg := range bytes.SplitSeq(bytes.TrimRight(raw, "\x00"), []byte{0}) {
				p.Cmdline = append(p.Cmdline, string(arg))
			}
		}
		procs = append(procs, p)
	}
	return procs, true
}

// stat reads a process's parent and state from /proc/PID/stat.
func stat(pid int) (ppid int, state string, ok bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	// "PID (comm) S PPID ...": comm may hold spaces and parentheses.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0], err == nil
}

// Descendants returns the processes below pid (children, their children,
// ...), zombies excepted; ok is false when /proc cannot be read.
func Descendants(pid int) (procs []Proc, ok bool) {
	all, ok := All()
	if !ok {
		return nil, false
	}
	children := make(map[int][]Proc)
	for _, p := range all {
		children[p.PPID] = append(children[p.PPID], p)
	}
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			procs = append(procs, c)
			queue = append(queue, c.PID)
		}
		queue = queue[1:]
	}
	return procs, true
}

// Alive reports whether pid runs (and is not a zombie); ok is false when
// it cannot tell.
func Alive(pid int) (alive, ok bool) {
	_, state, found := stat(pid)
	if !found {
		if _, err := os.Stat("/proc/self"); err != nil {
			return false, false
		}
		return false, true
	}
	return state != "Z", true
}

// PssKiB returns the proportional set size of pid in KiB (its resident
// memory, with each page shared by N processes counted 1/N): summed over
// processes it counts shared memory once. ok is false when it cannot be
// read (the process ended, or no /proc/PID/smaps_rollup).
func PssKiB(pid int) (kib int64, ok bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(raw)) {
		if v, found := strings.CutPrefix(line, "Pss:"); found {
			f := strings.Fields(v) // "1234 kB"
			if len(f) > 0 {
				n, err := strconv.ParseInt(f[0], 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}

// TreePssKiB returns the PssKiB of pid plus those of its descendants; ok
// is false when pid's own cannot be read.
func TreePssKiB(pid int) (kib int64, ok bool) {
	kib, ok = PssKiB(pid)
	if !ok {
		return 0, false
	}
	procs, _ := Descendants(pid)
	for _, p := range procs {
		if n, ok := PssKiB(p.PID); ok {
			kib += n
		}
	}
	return kib, true
}
