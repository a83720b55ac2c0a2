package pebble

import (
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/internal/datadir"
)

// dataDir is the folder of pebble's own files in a store's directory,
// beside datadir's FORMAT and LOCK.
const dataDir = "pebble"

// layout is the store directory's layout; Open refuses any other.
var layout = datadir.Layout{
	Format:           "empulse-events 1\n",
	ErrLocked:        events.ErrLocked,
	ErrUnknownFormat: events.ErrUnknownFormat,
}
