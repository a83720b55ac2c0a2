package projections

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	pdb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/internal/datadir"
)

// Errors of opening a projection database.
var (
	// ErrLocked is returned when another process holds the directory.
	ErrLocked = apperr.New(apperr.Unavailable, "projections in use by another process")
	// ErrUnknownFormat is returned for a directory in a format this
	// version does not know; it is left untouched.
	ErrUnknownFormat = apperr.New(apperr.Unavailable, "unknown projections format")
)

// dataDir is the folder of pebble's own files, beside datadir's FORMAT and
// LOCK.
const dataDir = "pebble"

// layout is the projections directory's layout; openDB refuses any other.
var layout = datadir.Layout{
	Format:           "empulse-projections 3\n",
	ErrLocked:        ErrLocked,
	ErrUnknownFormat: ErrUnknownFormat,
}

// Key space, one pebble database; every save is one batch holding the
// changed parts and the checkpoint, so that state and position always
// agree on disk:
//
//	'p'                      -> commit(8) prepare(8)  the checkpoint
//	't' team                 -> teamRec JSON
//	'm' member               -> team (deleted once the member is erased)
//	's' survey               -> surveyRec JSON
//	'u' pulse                -> pulseRec JSON
//	'c' week 0x00 team       -> cell JSON, without its comments
//	'n' week 0x00 team 0x00 idx(8) -> comment JSON, the cell's idx-th
//	'r' receiver 0x00 idx(8) -> receivedRec JSON (deleted once the receiver is erased)
const (
	keyCheckpoint = 'p'
	keyTeam       = 't'
	keyMember     = 'm'
	keySurvey     = 's'
	keyPulse      = 'u'
	keyCell       = 'c'
	keyComment    = 'n'
	keyReceived   = 'r'
)

// db is a projection's pebble database.
type db struct {
	pdb  *pdb.DB
	lock interface{ Close() error }
}

// openDB opens (creating if needed) the database in dir, or an in-memory
// one when dir is "".
func openDB(dir string, logger *slog.Logger) (*db, error) {
	o := &pdb.Options{Logger: pebbleLogger{logger}}
	if dir == "" {
		o.FS = vfs.NewMem()
		o.EnsureDefaults()
		d, err := pdb.Open("", o)
		if err != nil {
			return nil, fmt.Errorf("projections: %w", err)
		}
		return &db{pdb: d}, nil
	}
	dir, lock, err := layout.Open(dir)
	if err != nil {
		return nil, err
	}
	o.EnsureDefaults()
	d, err := pdb.Open(filepath.Join(dir, dataDir), o)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("projections: open %s: %w", dir, err)
	}
	return &db{pdb: d, lock: lock}, nil
}

// close closes the database and releases the lock.
func (d *db) close() error {
	err := d.pdb.Close()
	if d.lock != nil {
		err = errors.Join(err, d.lock.Close())
	}
	return err
}

// commentKey returns the key of the i-th comment of team's cell of week.
func commentKey(week Week, team string, i int) []byte {
	return binary.BigEndian.AppendUint64(append(key(keyComment, string(week), team), 0), uint64(i))
}

// key returns prefix followed by parts separated by 0x00.
func key(prefix byte, parts ...string) []byte {
	b := []byte{prefix}
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return b
}

// save writes the changed parts of s and the checkpoint pos in one batch.
// The batch is not synced: a crash loses the latest saves, never their
// agreement, and the projection replays from the checkpoint that survived.
func (d *db) save(s *state, pos events.Position, sync bool) error {
	b := d.pdb.NewBatch()
	defer b.Close()
	set := func(k []byte, v any) error {
		data, err := encode(v)
		if err != nil {
			return err
		}
		return b.Set(k, data, nil)
	}
	for id := range s.dirtyTeams {
		if err := set(key(keyTeam, id), s.teams[id]); err != nil {
			return err
		}
	}
	for id := range s.dirtyMembers {
		team, ok := s.members[id]
		if !ok { // erased
			if err := b.Delete(key(keyMember, id), nil); err != nil {
				return err
			}
			continue
		}
		if err := b.Set(key(keyMember, id), []byte(team), nil); err != nil {
			return err
		}
	}
	for id := range s.dirtySurveys {
		if err := set(key(keySurvey, id), s.surveys[id]); err != nil {
			return err
		}
	}
	for id := range s.dirtyPulses {
		if err := set(key(keyPulse, id), s.pulses[id]); err != nil {
			return err
		}
	}
	for _, ck := range s.dirtyCells {
		c := s.weeks[ck.Week].cells[ck.Team]
		if err := set(key(keyCell, string(ck.Week), ck.Team), c); err != nil {
			return err
		}
		for i := c.savedComments; i < len(c.Comments); i++ {
			if err := set(commentKey(ck.Week, ck.Team, i), c.Comments[i]); err != nil {
				return err
			}
		}
	}
	// An erased receiver's recognitions are deleted before any set below:
	// a batch applies in order.
	for recv := range s.dirtyErased {
		if err := b.DeleteRange(append(key(keyReceived, recv), 0), append(key(keyReceived, recv), 1), nil); err != nil {
			return err
		}
	}
	for recv, from := range s.dirtyReceived {
		for i, r := range s.received[recv][from:] {
			k := binary.BigEndian.AppendUint64(append(key(keyReceived, recv), 0), uint64(from+i))
			if err := set(k, r); err != nil {
				return err
			}
		}
	}
	cp := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, pos.Commit), pos.Prepare)
	if err := b.Set([]byte{keyCheckpoint}, cp, nil); err != nil {
		return err
	}
	opt := pdb.NoSync
	if sync {
		opt = pdb.Sync
	}
	if err := b.Commit(opt); err != nil {
		return fmt.Errorf("projections: save: %w", err)
	}
	for _, ck := range s.dirtyCells {
		c := s.weeks[ck.Week].cells[ck.Team]
		c.dirty, c.savedComments = false, len(c.Comments)
	}
	s.clean()
	return nil
}

// load reads the saved state and its checkpoint (Start for an empty
// database).
func (d *db) load() (*state, events.Position, error) {
	s := newState()
	pos := events.Start
	it, err := d.pdb.NewIter(nil)
	if err != nil {
		return nil, pos, err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		rest := string(k[1:])
		var err error
		switch k[0] {
		case keyCheckpoint:
			if len(v) == 16 {
				pos = events.Position{Commit: binary.BigEndian.Uint64(v), Prepare: binary.BigEndian.Uint64(v[8:])}
			}
		case keyTeam:
			t := &teamRec{}
			err = decode(v, t)
			s.teams[rest] = t
		case keyMember:
			s.members[rest] = string(v)
		case keySurvey:
			sv := &surveyRec{}
			err = decode(v, sv)
			s.surveys[rest] = sv
		case keyPulse:
			p := &pulseRec{}
			err = decode(v, p)
			s.pulses[rest] = p
		case keyCell:
			week, team, _ := strings.Cut(rest, "\x00")
			c := &cell{}
			err = decode(v, c)
			s.weekOf(Week(week)).cells[team] = c
		case keyComment:
			// After the cells ('n' > 'c'), in index order.
			week, rest, _ := strings.Cut(rest, "\x00")
			team := rest[:max(0, len(rest)-9)]
			c := s.weekOf(Week(week)).cells[team]
			if c == nil {
				c = &cell{}
				s.weekOf(Week(week)).cells[team] = c
			}
			var cm comment
			err = decode(v, &cm)
			c.Comments = append(c.Comments, cm)
			c.savedComments = len(c.Comments)
		case keyReceived:
			recv := string(k[1:bytes.IndexByte(k, 0)])
			r := receivedRec{}
			err = decode(v, &r)
			s.received[recv] = append(s.received[recv], r)
		}
		if err != nil {
			return nil, pos, fmt.Errorf("projections: load %q: %w", k, err)
		}
	}
	s.link()
	return s, pos, it.Error()
}

// dump returns every saved key and value but the checkpoint, in key order:
// the state as it is on disk, for comparing projections.
func (d *db) dump() (map[string]string, error) {
	out := map[string]string{}
	it, err := d.pdb.NewIter(nil)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if it.Key()[0] != keyCheckpoint {
			out[string(it.Key())] = string(it.Value())
		}
	}
	return out, it.Error()
}

// reset deletes everything, synced.
func (d *db) reset() error {
	return d.pdb.DeleteRange([]byte{0}, []byte{0xff}, pdb.Sync)
}

// pebbleLogger sends pebble's messages to a slog.Logger.
type pebbleLogger struct{ log *slog.Logger }

// Infof logs pebble's informational messages at debug level.
func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "projections")
}

// Errorf logs pebble's errors.
func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "projections")
}

// Fatalf logs pebble's fatal errors and exits, as pebble expects.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "projections")
	os.Exit(1)
}
