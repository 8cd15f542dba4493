package extract

import "golang.org/x/net/html/atom"

// inHead reports start tags the parser keeps in the head; any other start
// tag implicitly opens the body.
func inHead(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Head, atom.Base, atom.Basefont, atom.Bgsound, atom.Link,
		atom.Meta, atom.Noframes, atom.Script, atom.Style, atom.Template,
		atom.Title, atom.Noscript:
		return true
	}
	return false
}

// isInline reports elements that do not separate words: "<b>Hel</b>lo" is
// one word, "<td>a</td><td>b</td>" is two. Unknown elements (custom
// elements) count as block, which errs on the side of splitting.
func isInline(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Big, atom.Cite,
		atom.Code, atom.Data, atom.Del, atom.Dfn, atom.Em, atom.Font, atom.I,
		atom.Ins, atom.Kbd, atom.Label, atom.Mark, atom.Nobr, atom.Q, atom.S,
		atom.Samp, atom.Small, atom.Span, atom.Strike, atom.Strong, atom.Sub,
		atom.Sup, atom.Time, atom.Tt, atom.U, atom.Var, atom.Wbr,
		atom.Script, atom.Style, atom.Noscript, atom.Template:
		return true
	}
	return false
}

// breaksOutOfForeign lists the HTML start tags that end <svg>/<math>
// content (HTML spec, "parsing main in foreign content"), so an unclosed
// <svg> does not hide the rest of the page.
func breaksOutOfForeign(a atom.Atom) bool {
	switch a {
	case atom.B, atom.Big, atom.Blockquote, atom.Body, atom.Br, atom.Center,
		atom.Code, atom.Dd, atom.Div, atom.Dl, atom.Dt, atom.Em, atom.Embed,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head, atom.Hr,
		atom.I, atom.Img, atom.Li, atom.Listing, atom.Menu, atom.Meta, atom.Nobr,
		atom.Ol, atom.P, atom.Pre, atom.Ruby, atom.S, atom.Small, atom.Span,
		atom.Strong, atom.Strike, atom.Sub, atom.Sup, atom.Table, atom.Tt,
		atom.U, atom.Ul, atom.Var:
		return true
	}
	return false
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	}
	return 6
}
