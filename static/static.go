// Package static holds the wizard's stylesheet and script, embedded in the
// binary.
package static

import (
	"embed"
	"io/fs"
)

// files are the assets, listed explicitly.
//
//go:embed app.css app.js
var files embed.FS

// FS returns the assets, served under /static/.
func FS() fs.FS { return files }

// CSS returns the stylesheet, which the self-contained report inlines.
func CSS() string {
	b, _ := files.ReadFile("app.css")
	return string(b)
}
