package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Server-side SVG charts. The markup is built here rather than in a
// template because its geometry is arithmetic; every piece of text goes
// through html.EscapeString (valid XML escaping too). Colours and text
// alignment come from CSS classes (app.css): the CSP forbids inline styles.

// bar is one bar of a chart: a label, a count and a colour class (one of
// chartClasses; anything else draws in the default colour).
type bar struct {
	Label string
	Value int64
	Class string
}

// chartClasses are the colour classes a bar may have.
var chartClasses = map[string]bool{
	"ok": true, "redirect": true, "client-error": true, "server-error": true, "none": true, "throttled": true,
	"issue": true, "warning": true, "opportunity": true, "muted": true,
}

// chart is a rendered chart with its data, for the table under it.
type chart struct {
	ID    string
	Title string
	Unit  string // what the values count, e.g. "pages"
	Note  string
	Bars  []bar
	Total int64
	SVG   template.HTML // "" when every value is zero
}

func newChart(id, title, unit string, bars []bar) chart {
	c := chart{ID: id, Title: title, Unit: unit, Bars: bars}
	for _, b := range bars {
		c.Total += b.Value
	}
	return c
}

// Percent is a bar's share of the chart's total, for the data table.
func (c chart) Percent(v int64) string { return percent(v, c.Total) }

const (
	chartWidth = 600
	rowHeight  = 26
	barHeight  = 18
	labelWidth = 150
	valueWidth = 130
	maxLabel   = 22 // runes of a label drawn; the full label is in the bar's <title>
)

// barChart draws horizontal bars, one row per bar, each with its label on
// the left and its count and share on the right.
func barChart(c chart) chart {
	if c.Total == 0 {
		return c
	}
	var maxV int64
	for _, b := range c.Bars {
		maxV = max(maxV, b.Value)
	}
	height := len(c.Bars)*rowHeight + 4
	var s strings.Builder
	svgOpen(&s, c, height)
	plot := float64(chartWidth - labelWidth - valueWidth - 10)
	for i, b := range c.Bars {
		y := 2 + i*rowHeight
		w := plot * float64(b.Value) / float64(maxV)
		if b.Value > 0 && w < 1 {
			w = 1
		}
		fmt.Fprintf(&s, `<g class="row"><title>%s</title>`, esc(b.Label+": "+thousands(b.Value)+" "+c.Unit+" ("+c.Percent(b.Value)+")"))
		fmt.Fprintf(&s, `<text class="label" x="%d" y="%d">%s</text>`, labelWidth-8, y+barHeight-5, esc(shorten(b.Label)))
		fmt.Fprintf(&s, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d" rx="2"></rect>`, barClass(b.Class), labelWidth, y, w, barHeight)
		fmt.Fprintf(&s, `<text class="value" x="%.1f" y="%d">%s</text>`, float64(labelWidth)+w+6, y+barHeight-5,
			esc(thousands(b.Value)+" ("+c.Percent(b.Value)+")"))
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	c.SVG = template.HTML(s.String())
	return c
}

// columnChart draws a histogram: one column per bar, labels under the
// columns and counts above them.
func columnChart(c chart) chart {
	if c.Total == 0 {
		return c
	}
	var maxV int64
	for _, b := range c.Bars {
		maxV = max(maxV, b.Value)
	}
	const height, top, bottom, side = 230, 22, 28, 10
	var s strings.Builder
	svgOpen(&s, c, height)
	plotH := float64(height - top - bottom)
	slot := float64(chartWidth-2*side) / float64(len(c.Bars))
	colW := slot * 0.7
	base := height - bottom
	fmt.Fprintf(&s, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"></line>`, side, base, chartWidth-side, base)
	for i, b := range c.Bars {
		h := plotH * float64(b.Value) / float64(maxV)
		if b.Value > 0 && h < 1 {
			h = 1
		}
		x := float64(side) + slot*float64(i) + (slot-colW)/2
		mid := x + colW/2
		fmt.Fprintf(&s, `<g class="col"><title>%s</title>`, esc(b.Label+": "+thousands(b.Value)+" "+c.Unit+" ("+c.Percent(b.Value)+")"))
		fmt.Fprintf(&s, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"></rect>`, barClass(b.Class), x, float64(base)-h, colW, h)
		fmt.Fprintf(&s, `<text class="value mid" x="%.1f" y="%.1f">%s</text>`, mid, float64(base)-h-5, esc(thousands(b.Value)))
		fmt.Fprintf(&s, `<text class="label mid" x="%.1f" y="%d">%s</text>`, mid, base+17, esc(shorten(b.Label)))
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	c.SVG = template.HTML(s.String())
	return c
}

// svgOpen writes the root element: an image for assistive technology,
// named by its title and summarised, with every count, in its label.
func svgOpen(s *strings.Builder, c chart, height int) {
	parts := make([]string, len(c.Bars))
	for i, b := range c.Bars {
		parts[i] = b.Label + ": " + thousands(b.Value)
	}
	label := c.Title + " (" + c.Unit + ") — " + strings.Join(parts, ", ")
	fmt.Fprintf(s, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		esc(c.ID), chartWidth, height, esc(label))
	fmt.Fprintf(s, `<title>%s</title>`, esc(label))
}

func barClass(class string) string {
	if chartClasses[class] {
		return "bar c-" + class
	}
	return "bar"
}

func esc(s string) string { return html.EscapeString(s) }

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxLabel {
		return s
	}
	r := []rune(s)
	return string(r[:maxLabel-1]) + "…"
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func percent(v, total int64) string {
	if total == 0 {
		return "0%"
	}
	p := float64(v) * 100 / float64(total)
	switch {
	case p == 0 || p == 100:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	case p < 0.1:
		return "<0.1%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}
