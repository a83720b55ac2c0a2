package api

import (
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
	if err == nil {
		err = errors.New("api: writeError called with a nil error")
	}
	code := apperr.CodeOf(err)
	status := statusOf(code)
	body := errorBody{Code: code, Field: apperr.FieldOf(err), Message: messageOf(err)}
	switch {
	case status == http.StatusInternalServerError:
		loggerOf(c).LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("code", string(code)),
			slog.String("err", err.Error()))
		body = internalBody()
	case status >= 500:
		loggerOf(c).LogAttrs(c.Request.Context(), slog.LevelWarn, "dependency unavailable",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("err", err.Error()))
	}
	if body.Message == "" {
		body.Message = http.StatusText(status)
	}
	c.AbortWithStatusJSON(status, errorResponse{Error: body})
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
