package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
)

// errorResponse is the body of every error response.
type errorResponse struct {
	Error errorBody `json:"error"`
}

// errorBody describes one error to the client.
type errorBody struct {
	Code    apperr.Code `json:"code"`
	Field   string      `json:"field,omitempty"`
	Message string      `json:"message"`
}

// StatusClientClosedRequest is the status recorded (in logs and metrics)
// for a request whose client went away before it was answered: nginx's
// 499, since HTTP has none.
const StatusClientClosedRequest = 499

// internalMessage is all a client learns about an internal error.
const internalMessage = "internal error"

// statusOf returns the HTTP status for an application error code. This is
// the only place where codes become status codes; unknown codes are 500.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError ends the request with the error response for err:
//
//	{"error":{"code":"<apperr code>","field":"<input field, if any>","message":"..."}}
//
// The status comes from statusOf(apperr.CodeOf(err)). The message is the
// Message of the first *apperr.Error in err's chain, which apperr promises is
// safe to show; text that wrapping added around it is not shown. An error
// without a code, or with an unknown one, is internal: it is logged with its
// full detail and the client sees only code "internal" and the message
// "internal error". Unavailable errors are logged at warning level with their
// detail too, since they mean a dependency is down.
func writeError(c *gin.Context, err error) {
	status, body := errorFor(loggerOf(c), c.Request, err)
	c.AbortWithStatusJSON(status, errorResponse{Error: body})
}

// ErrorWriter returns a function that answers r, a request served outside
// the router (the live hub's refused upgrades), with the error response for
// err exactly as the router's handlers do (see writeError), logging to
// logger (discarding when nil).
func ErrorWriter(logger *slog.Logger) func(w http.ResponseWriter, r *http.Request, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(w http.ResponseWriter, r *http.Request, err error) {
		status, body := errorFor(logger, r, err)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(errorResponse{Error: body})
	}
}

// errorFor returns the status and body of the error response for err to
// r, logging internal errors and unavailable dependencies to logger.
func errorFor(logger *slog.Logger, r *http.Request, err error) (int, errorBody) {
	if err == nil {
		err = errors.New("api: writeError called with a nil error")
	}
	if cerr := r.Context().Err(); cerr != nil && errors.Is(err, cerr) {
		// The client went away before the answer: no one reads it, and it
		// is no fault of the server's, so it is neither a 5xx nor an error.
		logger.LogAttrs(r.Context(), slog.LevelDebug, "request abandoned by the client",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		return StatusClientClosedRequest, errorBody{Code: apperr.Unavailable, Message: "request cancelled by the client"}
	}
	code := apperr.CodeOf(err)
	status := statusOf(code)
	body := errorBody{Code: code, Field: apperr.FieldOf(err), Message: messageOf(err)}
	switch {
	case status == http.StatusInternalServerError:
		logger.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("code", string(code)),
			slog.String("err", err.Error()))
		body = internalBody()
	case status >= 500:
		logger.LogAttrs(r.Context(), slog.LevelWarn, "dependency unavailable",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("err", err.Error()))
	}
	if body.Message == "" {
		body.Message = http.StatusText(status)
	}
	return status, body
}

// internalBody is the body of every internal error response.
func internalBody() errorBody {
	return errorBody{Code: apperr.Internal, Message: internalMessage}
}

// messageOf returns the Message of the first *apperr.Error in err's chain,
// or "".
func messageOf(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
