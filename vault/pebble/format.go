package pebble

import (
	"github.com/empulse/empulse/internal/datadir"
	"github.com/empulse/empulse/vault"
)

// dataDir is the folder of pebble's own files in a vault's directory,
// beside datadir's FORMAT and LOCK.
const dataDir = "pebble"

// layout is the vault directory's layout; Open refuses any other.
var layout = datadir.Layout{
	Format:           "empulse-vault 1\n",
	ErrLocked:        vault.ErrLocked,
	ErrUnknownFormat: vault.ErrUnknownFormat,
}
