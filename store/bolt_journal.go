package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sort"
)

// The journal makes a Bolt state survive kill -9 without a bbolt
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
	boltJournalMagic  = "imgcjnl\x01"
	boltJournalHeader = 16
	boltRecordHeader  = 8
	boltMaxRecord     = 1 << 30
)

var boltCRC = crc32.MakeTable(crc32.Castagnoli)

func boltJournalPath(dbPath string) string { return dbPath + ".journal" }

func boltCommitPath(dbPath string) string { return dbPath + ".journal.commit" }

// boltCreateJournal creates a new, empty journal file of generation gen.
func boltCreateJournal(path string, gen uint64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	hdr := binary.LittleEndian.AppendUint64([]byte(boltJournalMagic), gen)
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// boltBeginRecord starts a record in buf (reused) and returns it; append
// the ops, then frame the record with boltEndRecord.
func boltBeginRecord(buf []byte) []byte {
	return append(buf[:0], 0, 0, 0, 0, 0, 0, 0, 0)
}

// boltEndRecord fills in the header of a record begun by boltBeginRecord.
func boltEndRecord(rec []byte) []byte {
	payload := rec[boltRecordHeader:]
	binary.LittleEndian.PutUint32(rec[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(rec[4:8], crc32.Checksum(payload, boltCRC))
	return rec
}

// boltJournal is a journal file read back: its generation and the ops of
// its complete records, concatenated.
type boltJournal struct {
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

// boltParseJournal reads a journal file's contents. A file too short to
// hold a header, or whose header is all zeros, is empty (a crash right after
// it was created). A torn last record — shorter than its length says, or
// failing its checksum at the end of the file, or zeros to the end of the
// file — is ignored: it is the write a crash interrupted. A bad record with
// more data after it is an error.
func boltParseJournal(data []byte) (gen uint64, ops []byte, torn int, err error) {
	if len(data) < boltJournalHeader || boltAllZero(data[:boltJournalHeader]) {
		return 0, nil, len(data), nil
	}
	if string(data[:8]) != boltJournalMagic {
		return 0, nil, 0, errors.New("not an imgcrawl journal (bad magic)")
	}
	gen = binary.LittleEndian.Uint64(data[8:16])
	off := boltJournalHeader
	for off < len(data) {
		rest := data[off:]
		if len(rest) < boltRecordHeader {
			return gen, ops, len(rest), nil
		}
		n := binary.LittleEndian.Uint32(rest[0:4])
		sum := binary.LittleEndian.Uint32(rest[4:8])
		if n > boltMaxRecord || n == 0 {
			if boltAllZero(rest) {
				return gen, ops, len(rest), nil
			}
			return gen, nil, 0, &errBoltJournal{off, fmt.Sprintf("bad length %d", n)}
		}
		end := boltRecordHeader + int(n)
		if end > len(rest) {
			return gen, ops, len(rest), nil
		}
		payload := rest[boltRecordHeader:end]
		if crc32.Checksum(payload, boltCRC) != sum {
			if end == len(rest) || boltAllZero(rest[boltRecordHeader:]) {
				return gen, ops, len(rest), nil
			}
			return gen, nil, 0, &errBoltJournal{off, "checksum mismatch"}
		}
		if err := boltDecodeOps(payload, func(*boltOp) error { return nil }); err != nil {
			return gen, nil, 0, &errBoltJournal{off, err.Error()}
		}
		ops = append(ops, payload...)
		off += end
	}
	return gen, ops, 0, nil
}

func boltAllZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}

// boltReadJournals reads the journals next to dbPath that are newer than
// generation applied, oldest first. Files that do not exist, and older
// journals, are skipped unread.
func boltReadJournals(dbPath string, applied uint64) ([]boltJournal, error) {
	var out []boltJournal
	for _, p := range []string{boltCommitPath(dbPath), boltJournalPath(dbPath)} {
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: journal %s: %w", p, err)
		}
		if len(data) >= boltJournalHeader && string(data[:8]) == boltJournalMagic &&
			binary.LittleEndian.Uint64(data[8:16]) <= applied {
			continue
		}
		gen, ops, _, err := boltParseJournal(data)
		if err != nil {
			return nil, fmt.Errorf("store: journal %s: %w (removing it resumes the crawl from the last commit, losing the changes it holds)", p, err)
		}
		out = append(out, boltJournal{path: p, gen: gen, ops: ops})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].gen < out[j].gen })
	return out, nil
}

// boltRemoveJournals deletes the journal files of dbPath.
func boltRemoveJournals(dbPath string) error {
	var errs []error
	for _, p := range []string{boltCommitPath(dbPath), boltJournalPath(dbPath)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("store: journal %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
