// Package projections holds Empulse's read models: state folded from the
// global event log and saved together with its checkpoint. Anonymity is
// enforced in their query layer, so that no figure for a group smaller than
// its minimum size k is ever returned.
package projections
