package app

import (
	"context"
	"errors"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/vault"
)

// EraseMember erases member id's personal data (the right to erasure):
// it deletes their key and pseudonym from the vault, then appends
// org.MemberErased. Their name, e-mail address, comments and recognition
// messages are sealed with that key, so they become unreadable everywhere,
// and nothing links their pseudonym, and so their answers, to them any
// more; the answers themselves stay in the aggregates, anonymous. Only
// admins may erase. Erasing a member erased already succeeds and changes
// nothing, so a retry is safe. The member's links stop authenticating and
// their open live connections are closed (Config.Disconnect). It returns
// Forbidden, Invalid (field "member") for an id that is not a member id,
// NotFound (field "member"), or the vault's or the store's error.
//
// The vault entry is deleted first, durably, and the event appended after,
// so no failure can leave the data readable once the erasure was
// acknowledged: a crash (or a failed append) between the two steps leaves
// the data erased and the event missing. The member then already shows as
// erased, but their token still authenticates and they still count in
// their team; a retry completes the erasure, and so does CompleteErasures
// at the next start. The other order would leave a window in which the log
// says erased while comments and messages can still be opened.
func (a *App) EraseMember(ctx context.Context, p Principal, id string) error {
	if p.Role != org.RoleAdmin {
		return forbidden("", "only admins erase members")
	}
	if !isID(id) {
		return &apperr.Error{Code: apperr.Invalid, Field: "member", Message: "must be a member id"}
	}
	return a.erase(ctx, id)
}

// erase is EraseMember without its checks of the caller and the id.
func (a *App) erase(ctx context.Context, id string) error {
	// Once begun, the erasure is not abandoned because the client went
	// away between its two steps.
	ctx = context.WithoutCancel(ctx)
	var hashes []string
	err := a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		if m, ok := s.Members[id]; ok && m.Erased {
			return nil, nil
		}
		ev, err := org.DecideErase(s, id)
		if err != nil {
			return nil, err
		}
		if err := a.vault.Delete(ctx, id); err != nil {
			return nil, err
		}
		hashes = tokenHashes(s.Members[id].Links)
		return []eventer{ev}, nil
	})
	if err == nil && len(hashes) > 0 {
		a.disconnect(hashes)
	}
	return err
}

// CompleteErasures appends org.MemberErased for every member whose vault
// entry is gone but whose erasure the log does not record: an EraseMember
// interrupted between its two steps. (Every member's entry is put in the
// vault before their MemberJoined is appended, so a member without one was
// being erased.) It logs each one and returns how many it completed, or
// the vault's or the store's error.
//
// Call it at startup, and only when this vault holds every member's entry:
// not beside EventStoreDB while each node keeps its own vault, where the
// members added through other nodes have no entry here.
func (a *App) CompleteErasures(ctx context.Context) (int, error) {
	var ids []string
	err := a.viewOrg(ctx, func(s *org.State) error {
		for _, id := range s.MemberOrder {
			if !s.Members[id].Erased {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		_, err := a.vault.Get(ctx, id)
		if !errors.Is(err, vault.ErrNotFound) {
			if err != nil {
				return n, err
			}
			continue
		}
		a.log.Warn("completing an interrupted erasure", "member", id)
		if err := a.erase(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// forgetErased deletes the vault entry of a member the log says is erased,
// as the org stream is folded: a no-op where EraseMember ran, it deletes
// what a vault restored from a backup, or another node's vault, still
// holds. The caller holds orgMu.
func (a *App) forgetErased(ctx context.Context, ev any) error {
	if e, ok := ev.(org.MemberErased); ok {
		return a.vault.Delete(ctx, e.Member)
	}
	return nil
}
