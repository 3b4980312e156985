package dashboard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// web holds the page templates (web/*.html) and the assets served under
// /static/ (web/static).
//
//go:embed web
var web embed.FS

// contentTypes are the types of the assets, whatever the host's mime table says.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// asset is an embedded file and its content hash.
type asset struct {
	body  []byte
	hash  string
	ctype string
}

// assets are the files served under /static/, by path ("app.js", "icons/pages.svg").
type assets map[string]asset

func loadAssets() (assets, error) {
	root, err := fs.Sub(web, "web/static")
	if err != nil {
		return nil, err
	}
	a := assets{}
	err = fs.WalkDir(root, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			return fmt.Errorf("asset %s: no content type for its extension", name)
		}
		sum := sha256.Sum256(body)
		a[name] = asset{body: body, hash: hex.EncodeToString(sum[:8]), ctype: ctype}
		return nil
	})
	return a, err
}

// url returns the address of an asset, versioned by its content so that
// browsers may keep it for a year and still get a new release at once.
func (a assets) url(name string) (string, error) {
	f, ok := a[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return "/static/" + name + "?v=" + f.hash, nil
}

// serve answers GET /static/{path...}.
func (a assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", `"`+f.hash+`"`)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
