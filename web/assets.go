package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// contentTypes are the content types of the static files, by extension. A
// file with another extension is refused when the handler is built, so
// that nothing is served with a guessed type.
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// asset is one static file, held in memory with its strong ETag.
type asset struct {
	data        []byte
	etag        string
	contentType string
}

// loadAssets reads every file under dir of fsys and returns them keyed by
// their URL path, prefix followed by the path under dir. It returns an
// error for a file whose extension has no content type.
func loadAssets(fsys fs.FS, dir, prefix string) (map[string]asset, error) {
	assets := make(map[string]asset)
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("web: no content type for %s", p)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		assets[prefix+p[len(dir)+1:]] = asset{data: data, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, contentType: ct}
		return nil
	})
	return assets, err
}

// serve writes a to w: its content type, its ETag, Cache-Control: no-cache
// (so browsers revalidate, and get 304 Not Modified while the content is
// unchanged), honouring conditional and range requests.
func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}
