package notice

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Render turns a notice's Markdown into HTML that is safe to put in a page. goldmark is built
// without html.WithUnsafe, so raw HTML in the Markdown is dropped; bluemonday's UGC policy then
// removes whatever else could run (event attributes, javascript: and data: URLs) as a second,
// independent line of defence. Links get rel="nofollow noopener" and open normally.
// Both are built per call: they are cheap next to a page render and keep the package free of
// package-level state.
func Render(markdown string) string {
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	var buf bytes.Buffer
	if err := md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer does not.
		return ""
	}
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p.Sanitize(buf.String())
}
