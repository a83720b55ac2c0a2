package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/strictjson"
)

// DefaultMaxBody is the default limit on request bodies, in bytes.
const DefaultMaxBody = 64 << 10

// decodeJSON decodes the request body, a single JSON object of at most
// limit bytes, into v with strictjson, rejecting unknown fields. It returns
// an *apperr.Error: TooLarge (field "body") for an oversized body, Invalid
// for malformed JSON (field "body"), a value of the wrong type or out of
// range (its field), or an unknown field (that field). An empty body (no
// bytes at all: blanks are malformed JSON, as the OpenAPI document says)
// counts as "{}" when emptyOK.
func decodeJSON(c *gin.Context, limit int64, v any, emptyOK bool) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	data, err := io.ReadAll(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &apperr.Error{Code: apperr.TooLarge, Field: "body", Message: fmt.Sprintf("request body larger than %d bytes", limit)}
		}
		return apperr.Field("body", "could not read the request body")
	}
	if len(data) == 0 {
		if emptyOK {
			return nil
		}
		return apperr.Field("body", "a JSON object is required")
	}
	return strictjson.Decode(data, v, "body")
}
