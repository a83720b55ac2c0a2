package pebble

import "encoding/binary"

// The key space. Every key starts with a one-byte prefix naming its table.
//
//	'g' pos(8)                  -> record            the global log
//	's' stream 0x00 rev(8)      -> pos(8) id(16)     each stream's index
//	'i' id(16)                  -> pos(8)            event IDs, for idempotent retries
//
// Integers are big-endian so that keys sort numerically. Stream names never
// contain 0x00 (events.ValidateStream refuses control characters), so all of
// one stream's keys are contiguous.
const (
	prefixGlobal = 'g'
	prefixStream = 's'
	prefixID     = 'i'
)

func globalKey(dst []byte, pos uint64) []byte {
	dst = append(dst, prefixGlobal)
	return binary.BigEndian.AppendUint64(dst, pos)
}

func globalKeyPos(key []byte) uint64 { return binary.BigEndian.Uint64(key[1:]) }

func streamKey(dst []byte, stream string, rev uint64) []byte {
	dst = append(dst, prefixStream)
	dst = append(dst, stream...)
	dst = append(dst, 0)
	return binary.BigEndian.AppendUint64(dst, rev)
}

func streamKeyRev(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(key)-8:]) }

func idKey(dst []byte, id [16]byte) []byte {
	dst = append(dst, prefixID)
	return append(dst, id[:]...)
}
