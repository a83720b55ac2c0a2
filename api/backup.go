package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// BackupFunc writes an archive of the server's data to w, gzip-compressed
// when gzip is set, and returns ctx's error, w's, or its own. It must write
// nothing to w before it knows it can make the archive, so that such errors
// still get their own status.
type BackupFunc func(ctx context.Context, w io.Writer, gzip bool) error

// errNoBackup answers a backup request to a server without Config.Backup.
var errNoBackup = apperr.New(apperr.NotFound, "this server makes no backups: its events are not in the embedded store; back up EventStoreDB with its own tools")

// adminBackup streams an archive of the data directory to an admin:
// application/x-tar, or application/gzip with ?compress=gzip, as an
// attachment named by the time. An error once the archive has begun cannot
// change the status any more: it is logged and the response is cut off, so
// the client sees a broken transfer rather than a shorter archive.
func (h *handlers) adminBackup(c *gin.Context) {
	if principalOf(c).Role != org.RoleAdmin {
		writeError(c, apperr.New(apperr.Forbidden, "only admins make backups"))
		return
	}
	zip := false
	switch c.Query("compress") {
	case "", "none":
	case "gzip":
		zip = true
	default:
		writeError(c, apperr.Field("compress", "must be none or gzip"))
		return
	}
	if h.backup == nil {
		writeError(c, errNoBackup)
		return
	}
	name, ctype := "empulse-backup-"+h.now().UTC().Format("20060102T150405Z")+".tar", "application/x-tar"
	if zip {
		name, ctype = name+".gz", "application/gzip"
	}
	w := &startWriter{c: c, ctype: ctype, name: name}
	if err := h.backup(c.Request.Context(), w, zip); err != nil {
		if !w.started {
			writeError(c, err)
			return
		}
		loggerOf(c).LogAttrs(c.Request.Context(), slog.LevelError, "backup failed while streaming",
			slog.String("path", c.Request.URL.Path), slog.String("err", err.Error()))
		panic(http.ErrAbortHandler)
	}
}

// startWriter writes a response body, sending the headers and status 200
// of a successful answer before its first byte.
type startWriter struct {
	c           *gin.Context
	ctype, name string
	started     bool
}

// start sends the headers and the status.
func (w *startWriter) start() {
	w.started = true
	w.c.Header("Content-Type", w.ctype)
	w.c.Header("Content-Disposition", `attachment; filename="`+w.name+`"`)
	w.c.Status(http.StatusOK)
	w.c.Writer.WriteHeaderNow()
}

// Write writes p to the response, starting it first if needed.
func (w *startWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.start()
	}
	return w.c.Writer.Write(p)
}
