package chart

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// node is a parsed element: enough of a DOM to check what a screen reader
// and a browser would get.
type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     string // all character data inside, concatenated
}

// parse parses markup strictly as XML and fails the test when it is not
// well-formed (unbalanced tags, bad entities, characters XML forbids).
func parse(t testing.TB, markup string) *node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<root>" + markup + "</root>"))
	dec.Strict = true
	root := &node{name: "root"}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, markup)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				key := a.Name.Local
				if a.Name.Space != "" && a.Name.Space != "http://www.w3.org/2000/svg" {
					key = a.Name.Space + ":" + key
				}
				n.attr[key] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text += string(tok)
			}
		}
	}
	return root.children[0] // the wrapper <root>
}

// all returns every element named name below n, in document order.
func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// one returns the single element named name below n.
func (n *node) one(t testing.TB, name string) *node {
	t.Helper()
	got := n.all(name)
	if len(got) != 1 {
		t.Fatalf("%d <%s> elements, want 1", len(got), name)
	}
	return got[0]
}

// walk calls fn for every element below n.
func (n *node) walk(fn func(*node)) {
	for _, c := range n.children {
		fn(c)
		c.walk(fn)
	}
}

// checkSVG checks what every chart's SVG must have: one root <svg> with
// role="img" named by its <title> and <desc>, those texts, and nothing the
// site's CSP forbids.
func checkSVG(t testing.TB, markup, id, title, desc string) *node {
	t.Helper()
	doc := parse(t, markup)
	if len(doc.children) != 1 || doc.children[0].name != "svg" {
		t.Fatalf("want one root <svg>, got %d elements", len(doc.children))
	}
	svg := doc.children[0]
	if svg.attr["role"] != "img" || svg.attr["aria-labelledby"] != id+"-title "+id+"-desc" {
		t.Errorf("svg role=%q aria-labelledby=%q", svg.attr["role"], svg.attr["aria-labelledby"])
	}
	if len(svg.children) < 2 || svg.children[0].name != "title" || svg.children[1].name != "desc" {
		t.Fatalf("the first children of <svg> must be <title> and <desc>")
	}
	if ti := svg.children[0]; ti.attr["id"] != id+"-title" || ti.text != title {
		t.Errorf("title id=%q text=%q, want %q", ti.attr["id"], ti.text, title)
	}
	if de := svg.children[1]; de.attr["id"] != id+"-desc" || de.text != desc {
		t.Errorf("desc id=%q text=%q, want %q", de.attr["id"], de.text, desc)
	}
	checkCSP(t, doc)
	return svg
}

// checkCSP fails on what a strict Content Security Policy blocks or an
// attacker would want: style attributes and elements, scripts, event
// handlers, foreign objects, links that leave the site.
func checkCSP(t testing.TB, doc *node) {
	t.Helper()
	doc.walk(func(n *node) {
		switch n.name {
		case "script", "style", "foreignObject", "iframe", "object", "embed":
			t.Errorf("forbidden element <%s>", n.name)
		}
		for k, v := range n.attr {
			if k == "style" || strings.HasPrefix(strings.ToLower(k), "on") {
				t.Errorf("forbidden attribute %s=%q on <%s>", k, v, n.name)
			}
			if (k == "href" || strings.HasSuffix(k, ":href")) && !sameSite(v) && !strings.HasPrefix(v, "#") {
				t.Errorf("link %q leaves the site", v)
			}
		}
	})
}

// contrast is the WCAG 2 contrast ratio of a #rrggbb colour against white.
func contrast(t testing.TB, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q", hex)
	}
	lum := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		var v int
		for _, c := range hex[1+2*i : 3+2*i] {
			v *= 16
			switch {
			case c >= '0' && c <= '9':
				v += int(c - '0')
			case c >= 'a' && c <= 'f':
				v += int(c-'a') + 10
			default:
				t.Fatalf("colour %q", hex)
			}
		}
		s := float64(v) / 255
		if s <= 0.03928 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		lum += w * s
	}
	return 1.05 / (lum + 0.05)
}
