package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sort"
)

// The journal makes a state file survive kill -9 without a bbolt
// transaction per call. Every mutating call appends one record to the
// journal file with a single write(2) before it returns; the background
// commit later writes the same ops into bbolt in one transaction.
//
// A journal file is a header — 8 bytes of magic and version, then its
// generation as a little-endian uint64 — followed by records:
//
//	length:uint32le crc32c(payload):uint32le payload (a sequence of ops)
//
// Two files exist at most. The active journal, <db>.journal, receives new
// records. A commit renames it to <db>.journal.commit, starts a new active
// journal of the next generation, writes the renamed journal's ops into bbolt
// together with its generation ("applied"), and then deletes it. On open,
// journals whose generation is newer than "applied" are replayed in order;
// older ones are leftovers of a crash between a commit and the delete.
const (
	journalMagic  = "imgcjnl\x01"
	journalHeader = 16
	recordHeader  = 8
	maxRecord     = 1 << 30
)

var cRC = crc32.MakeTable(crc32.Castagnoli)

func journalPath(dbPath string) string { return dbPath + ".journal" }

func commitPath(dbPath string) string { return dbPath + ".journal.commit" }

// createJournal creates a new, empty journal file of generation gen.
func createJournal(path string, gen uint64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	hdr := binary.LittleEndian.AppendUint64([]byte(journalMagic), gen)
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// beginRecord starts a record in buf (reused) and returns it; append
// the ops, then frame the record with endRecord.
func beginRecord(buf []byte) []byte {
	return append(buf[:0], 0, 0, 0, 0, 0, 0, 0, 0)
}

// endRecord fills in the header of a record begun by beginRecord.
func endRecord(rec []byte) []byte {
	payload := rec[recordHeader:]
	binary.LittleEndian.PutUint32(rec[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(rec[4:8], crc32.Checksum(payload, cRC))
	return rec
}

// journalFile is a journal file read back: its generation and the ops of
// its complete records, concatenated.
type journalFile struct {
	path string
	gen  uint64
	ops  []byte
}

// errBoltJournal reports a journal that cannot be replayed.
type errBoltJournal struct {
	offset int
	reason string
}

func (e *errBoltJournal) Error() string {
	return fmt.Sprintf("corrupt journal record at offset %d: %s", e.offset, e.reason)
}

// parseJournal reads a journal file's contents. A file too short to
// hold a header, or whose header is all zeros, is empty (a crash right after
// it was created). A torn last record — shorter than its length says, or
// failing its checksum at the end of the file, or zeros to the end of the
// file — is ignored: it is the write a crash interrupted. A bad record with
// more data after it is an error.
func parseJournal(data []byte) (gen uint64, ops []byte, torn int, err error) {
	if len(data) < journalHeader || allZero(data[:journalHeader]) {
		return 0, nil, len(data), nil
	}
	if string(data[:8]) != journalMagic {
		return 0, nil, 0, errors.New("not an imgcrawl journal (bad magic)")
	}
	gen = binary.LittleEndian.Uint64(data[8:16])
	off := journalHeader
	for off < len(data) {
		rest := data[off:]
		if len(rest) < recordHeader {
			return gen, ops, len(rest), nil
		}
		n := binary.LittleEndian.Uint32(rest[0:4])
		sum := binary.LittleEndian.Uint32(rest[4:8])
		if n > maxRecord || n == 0 {
			if allZero(rest) {
				return gen, ops, len(rest), nil
			}
			return gen, nil, 0, &errBoltJournal{off, fmt.Sprintf("bad length %d", n)}
		}
		end := recordHeader + int(n)
		if end > len(rest) {
			return gen, ops, len(rest), nil
		}
		payload := rest[recordHeader:end]
		if crc32.Checksum(payload, cRC) != sum {
			if end == len(rest) || allZero(rest[recordHeader:]) {
				return gen, ops, len(rest), nil
			}
			return gen, nil, 0, &errBoltJournal{off, "checksum mismatch"}
		}
		if err := decodeOps(payload, func(*journalOp) error { return nil }); err != nil {
			return gen, nil, 0, &errBoltJournal{off, err.Error()}
		}
		ops = append(ops, payload...)
		off += end
	}
	return gen, ops, 0, nil
}

func allZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}

// readJournals reads the journals next to dbPath that are newer than
// generation applied, oldest first. Files that do not exist, and older
// journals, are skipped unread.
func readJournals(dbPath string, applied uint64) ([]journalFile, error) {
	var out []journalFile
	for _, p := range []string{commitPath(dbPath), journalPath(dbPath)} {
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bolt: journal %s: %w", p, err)
		}
		if len(data) >= journalHeader && string(data[:8]) == journalMagic &&
			binary.LittleEndian.Uint64(data[8:16]) <= applied {
			continue
		}
		gen, ops, _, err := parseJournal(data)
		if err != nil {
			return nil, fmt.Errorf("bolt: journal %s: %w (removing it resumes the crawl from the last commit, losing the changes it holds)", p, err)
		}
		out = append(out, journalFile{path: p, gen: gen, ops: ops})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].gen < out[j].gen })
	return out, nil
}

// removeJournals deletes the journal files of dbPath.
func removeJournals(dbPath string) error {
	var errs []error
	for _, p := range []string{commitPath(dbPath), journalPath(dbPath)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("bolt: journal %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
