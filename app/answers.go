package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
)

// MyPulse is an open pulse as the member asked sees it.
type MyPulse struct {
	SurveyID   string            `json:"survey_id"`
	SurveyName string            `json:"survey_name"`
	PulseID    string            `json:"pulse_id"`
	Number     int               `json:"number"`
	ClosesAt   time.Time         `json:"closes_at"`
	Answered   bool              `json:"answered"`
	Questions  []survey.Question `json:"questions"`
}

// MyPulses returns the open pulses of the surveys that cover p's team, and
// whether p has answered each. Only members have pulses.
func (a *App) MyPulses(ctx context.Context, p Principal) ([]MyPulse, error) {
	if err := requireMember(p); err != nil {
		return nil, err
	}
	sec, err := a.secretsOf(ctx, p.Member)
	if err != nil {
		return nil, err
	}
	listed, err := a.surveyIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := []MyPulse{}
	now := a.now()
	for _, l := range listed {
		covered := false
		if err := a.viewOrg(ctx, func(s *org.State) error { covered = s.InSubtree(l.Team, p.Team); return nil }); err != nil {
			return nil, err
		}
		if !covered {
			continue
		}
		s, _, err := a.loadSurvey(ctx, l.Survey)
		if err != nil {
			return nil, err
		}
		pl := s.OpenPulse()
		if pl == nil || !now.Before(pl.ClosesAt) {
			continue
		}
		answered, err := a.streamExists(ctx, survey.AnswerStream(pl.ID, sec.Pseudonym))
		if err != nil {
			return nil, err
		}
		out = append(out, MyPulse{SurveyID: s.ID, SurveyName: s.Name, PulseID: pl.ID, Number: pl.Number,
			ClosesAt: pl.ClosesAt, Answered: answered, Questions: pl.Questions})
	}
	return out, nil
}

// streamExists reports whether stream has events.
func (a *App) streamExists(ctx context.Context, stream string) (bool, error) {
	_, err := a.store.ReadStream(ctx, stream, events.Forwards, 0, 1)
	if errors.Is(err, events.ErrStreamNotFound) {
		return false, nil
	}
	return err == nil, err
}

// NewAnswer is what Answer needs.
type NewAnswer struct {
	Survey  string
	Pulse   string
	Values  map[string]int
	Comment string
	// IdempotencyKey, if set, makes a retry of the same request return the
	// first answer's receipt.
	IdempotencyKey string
}

// Receipt acknowledges an answer. It names no member and no exact time.
type Receipt struct {
	AnswerID string `json:"answer_id"`
	SurveyID string `json:"survey_id"`
	PulseID  string `json:"pulse_id"`
	Day      string `json:"day"`
	// Position is where the answer lies in the global log, for waiting
	// until the projections have folded it; it is not shown.
	Position events.Position `json:"-"`
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 200

// ValidIdempotencyKey reports whether k may be used as an Idempotency-Key:
// 1 to MaxIdempotencyKey printable ASCII characters.
func ValidIdempotencyKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKey {
		return false
	}
	for _, r := range k {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// errAnswered is returned for a second answer to a pulse.
var errAnswered = &apperr.Error{Code: apperr.Conflict, Field: "pulse", Message: "you have answered this pulse already"}

// Answer records p's answer to a pulse: AnswerSubmitted, with p's
// pseudonym, team and the day, to the answer's own stream, which must not
// exist yet. (Who answered is recorded when the pulse closes; see
// recordParticipation.) With an IdempotencyKey, a retry returns the first
// receipt. It
// returns Forbidden when p is not a member or the survey does not cover p's
// team (field "pulse"), NotFound (field "survey" or "pulse"), Conflict
// (field "pulse") for a second answer or a closed pulse, or the errors of
// survey.DecideAnswer.
func (a *App) Answer(ctx context.Context, p Principal, na NewAnswer) (Receipt, error) {
	if err := requireMember(p); err != nil {
		return Receipt{}, err
	}
	if !isID(na.Pulse) {
		return Receipt{}, notFound("pulse", "no such pulse")
	}
	sec, err := a.secretsOf(ctx, p.Member)
	if err != nil {
		return Receipt{}, err
	}
	stream := survey.AnswerStream(na.Pulse, sec.Pseudonym)
	var answerID uuid.UUID
	if na.IdempotencyKey != "" {
		answerID = answerIDFor(sec.Key, na.Pulse, sec.Pseudonym, na.IdempotencyKey)
		if r, ok, err := a.receipt(ctx, stream, answerID); err != nil || ok {
			return r, err
		}
	} else if answerID, err = a.newUUID(); err != nil {
		return Receipt{}, err
	}
	s, _, err := a.loadSurvey(ctx, na.Survey)
	if err != nil {
		return Receipt{}, err
	}
	team := ""
	err = a.viewOrg(ctx, func(o *org.State) error {
		m, ok := o.Members[p.Member]
		if !ok {
			return errUnauthenticated
		}
		team = m.Team
		if !o.InSubtree(s.Team, team) {
			return forbidden("pulse", "this survey does not cover your team")
		}
		return nil
	})
	if err != nil {
		return Receipt{}, err
	}
	ans, err := survey.DecideAnswer(s, survey.Answer{Answer: answerID.String(), Pulse: na.Pulse,
		Respondent: sec.Pseudonym, Team: team, Values: na.Values, Comment: na.Comment, Now: a.now(), Seal: a.sealer(sec.Key)})
	if err != nil {
		return Receipt{}, err
	}
	props, err := a.proposed([]eventer{ans}, answerID)
	if err != nil {
		return Receipt{}, err
	}
	res, err := a.store.Append(ctx, stream, events.NoStream(), props...)
	if errors.Is(err, events.ErrWrongRevision) {
		return Receipt{}, errAnswered
	}
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{AnswerID: ans.Answer, SurveyID: ans.Survey, PulseID: ans.Pulse, Day: ans.Day, Position: res.Position}, nil
}

// answerIDFor returns the event ID of the answer to pulse whose request
// carried the Idempotency-Key idemKey. The key is mixed in through an HMAC
// with the member's key: a client may choose a key that names the member
// (say "ada-2026-W48"), and a plain hash of it beside the pseudonym, which
// the answer carries, would let anyone confirm such a guess, even after the
// member's erasure.
func answerIDFor(memberKey []byte, pulse, pseudonym, idemKey string) uuid.UUID {
	mac := hmac.New(sha256.New, memberKey)
	mac.Write([]byte(idemKey))
	return derivedID("answer", pulse, pseudonym, hex.EncodeToString(mac.Sum(nil)))
}

// receipt returns the receipt of the answer in stream when its event has
// the given id, and whether it has.
func (a *App) receipt(ctx context.Context, stream string, id uuid.UUID) (Receipt, bool, error) {
	evs, err := a.store.ReadStream(ctx, stream, events.Forwards, 0, 1)
	if errors.Is(err, events.ErrStreamNotFound) || (err == nil && (len(evs) == 0 || evs[0].ID != id)) {
		return Receipt{}, false, nil
	}
	if err != nil {
		return Receipt{}, false, err
	}
	v, err := a.reg.Decode(evs[0])
	if err != nil {
		return Receipt{}, false, err
	}
	ans, ok := v.(survey.AnswerSubmitted)
	if !ok {
		return Receipt{}, false, nil
	}
	return Receipt{AnswerID: ans.Answer, SurveyID: ans.Survey, PulseID: ans.Pulse, Day: ans.Day, Position: evs[0].Position}, true, nil
}

// recordParticipation appends, once, the ParticipationRecorded event of
// pulse of survey s, which has closed: every member whose pseudonym has an
// answer to it. Members whose vault entry is erased are left out. It is a
// no-op when the event exists.
func (a *App) recordParticipation(ctx context.Context, s *survey.State, pulse string) error {
	stream := survey.ParticipationStream(pulse)
	if done, err := a.streamExists(ctx, stream); err != nil || done {
		return err
	}
	var ids []string
	err := a.viewOrg(ctx, func(o *org.State) error {
		for _, id := range o.MemberOrder {
			if !o.Members[id].Erased {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var answered []string
	for _, id := range ids {
		sec, err := a.vault.Get(ctx, id)
		if errors.Is(err, vault.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		ok, err := a.streamExists(ctx, survey.AnswerStream(pulse, sec.Pseudonym))
		if err != nil {
			return err
		}
		if ok {
			answered = append(answered, id)
		}
	}
	ev, err := survey.DecideParticipation(s, pulse, answered)
	if err != nil {
		return err
	}
	props, err := a.proposed([]eventer{ev}, derivedID("participation", pulse))
	if err != nil {
		return err
	}
	_, err = a.store.Append(ctx, stream, events.NoStream(), props...)
	if errors.Is(err, events.ErrWrongRevision) {
		return nil // recorded by someone else meanwhile
	}
	return err
}
