package pebble

import "context"

// Compact rewrites the store's files so that every key lives in one sorted
// run. After a bulk import or a restore, pebble's background compactions
// otherwise compete with the first full replay for the same cores.
// Appends, reads and subscriptions go on meanwhile.
//
// It returns events.ErrClosed, ctx's error, or pebble's error.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	if err := s.db.Compact(ctx, []byte{0}, []byte{0xff}, true); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}
