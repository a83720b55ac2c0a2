package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/empulse/empulse/events"
)

// errClientPanicked stands for a "send on closed channel" panic of a client
// that was closed while a call was in flight (see protect).
var errClientPanicked = errors.New("esdb client was closed during the call")

// protect runs fn and turns the client's "send on closed channel" panic into
// errClientPanicked. Client v4.2.0 reports a failed call to its connection
// goroutine over a channel that Close closes; a call in flight on a client
// that the Store has just replaced (or closed) panics there. Other panics are
// not ours to hide and are re-raised.
func protect(fn func() error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if re, ok := r.(runtime.Error); ok && strings.Contains(re.Error(), "send on closed channel") {
			err = errClientPanicked
			return
		}
		panic(r)
	}()
	return fn()
}

// kurrentCode returns the client error code in err's chain. The client's own
// FromError does not unwrap, and the client wraps its errors with %w, so it
// is looked for with errors.As on the raw error.
func kurrentCode(err error) (kurrent.ErrorCode, bool) {
	var ke *kurrent.Error
	if errors.As(err, &ke) {
		return ke.Code(), true
	}
	return 0, false
}

// clientClosed reports whether err says the client has closed itself.
func clientClosed(err error) bool {
	if errors.Is(err, errClientPanicked) {
		return true
	}
	code, ok := kurrentCode(err)
	return ok && code == kurrent.ErrorCodeConnectionClosed
}

// unavailable reports whether err means the server could not be reached.
// A send on a gRPC stream that the connection's loss has ended fails with
// io.EOF, which the client reports with an unknown code.
func unavailable(err error) bool {
	if clientClosed(err) || errors.Is(err, io.EOF) {
		return true
	}
	if code, ok := kurrentCode(err); ok {
		switch code {
		case kurrent.ErrorUnavailable, kurrent.ErrorCodeDeadlineExceeded, kurrent.ErrorAborted:
			return true
		}
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.Canceled:
		return true
	}
	return false
}

// mapErr translates an error of operation op on stream (empty for $all) into
// the project's errors. It must be given the raw client error.
func (s *Store) mapErr(ctx context.Context, op, stream string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, events.ErrClosed) || s.isClosed():
		return events.ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if code, ok := kurrentCode(err); ok {
		switch code {
		case kurrent.ErrorCodeStreamDeleted:
			return fmt.Errorf("%w: %q", events.ErrStreamDeleted, stream)
		case kurrent.ErrorCodeResourceNotFound:
			return fmt.Errorf("%w: %q", events.ErrStreamNotFound, stream)
		}
	}
	if unavailable(err) {
		return fmt.Errorf("esdb: %s: %w: %w", op, events.ErrUnavailable, err)
	}
	return fmt.Errorf("esdb: %s: %w", op, err)
}

// wrongExpected reports whether err is the server's refusal of an append's
// expected revision.
func wrongExpected(err error) bool {
	code, ok := kurrentCode(err)
	return ok && code == kurrent.ErrorCodeWrongExpectedVersion
}

// actualFromMessage reads the stream's actual revision out of the client's
// wrong-expected-version message, "wrong expected version: expecting 'X' but
// got 'Y'", where Y is "no_stream" or a revision. The client keeps the
// server's details only in that text; ok is false when it cannot be read.
func actualFromMessage(err error) (actual events.ExpectedRevision, ok bool) {
	var ke *kurrent.Error
	if !errors.As(err, &ke) || ke.Err() == nil {
		return events.ExpectedRevision{}, false
	}
	msg := ke.Err().Error()
	const marker = "but got '"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return events.ExpectedRevision{}, false
	}
	got, _, found := strings.Cut(msg[i+len(marker):], "'")
	if !found {
		return events.ExpectedRevision{}, false
	}
	if got == "no_stream" {
		return events.NoStream(), true
	}
	rev, perr := strconv.ParseUint(got, 10, 64)
	if perr != nil {
		return events.ExpectedRevision{}, false
	}
	return events.Revision(rev), true
}
