// Package apperr defines Empulse's single application error type.
//
// Every error that crosses a package boundary and means something to a caller
// (bad input, a missing thing, a conflict) is, or wraps, an *Error with a
// Code. The HTTP layer maps codes to status codes in exactly one place; every
// other layer only chooses a code.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The codes. Internal is the code of every error that carries none.
const (
	Invalid         Code = "invalid"         // the input is malformed or out of range
	NotFound        Code = "not_found"       // the thing asked for does not exist
	Conflict        Code = "conflict"        // the request collides with the current state
	Unauthenticated Code = "unauthenticated" // no valid credentials
	Forbidden       Code = "forbidden"       // credentials valid, permission missing
	TooLarge        Code = "too_large"       // the input exceeds a size limit
	RateLimited     Code = "rate_limited"    // too many requests; try again later
	Unavailable     Code = "unavailable"     // a dependency is closed, locked or down
	Internal        Code = "internal"        // a bug or an unexpected failure
)

// Error is an error with a Code, an optional input Field it concerns, and a
// Message safe to show to users. Err, if set, is the underlying cause.
type Error struct {
	Code    Code
	Field   string
	Message string
	Err     error
}

// New returns an *Error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid *Error that names the offending input field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Error returns the message, prefixed with the field when there is one.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the Code of the first *Error in err's chain, Internal if
// there is none, and "" if err is nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// FieldOf returns the Field of the first *Error in err's chain that names
// one, or "".
func FieldOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Field != "" {
			return e.Field
		}
		err = e.Err
	}
	return ""
}
