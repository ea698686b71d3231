package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strings"
)

//go:embed templates/report.html.tmpl templates/report.md.tmpl
var templates embed.FS

// File is one rendered report file.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Render produces report.json, report.md and report.html of one document.
func Render(doc *Document) ([]File, error) {
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	js = append(js, '\n')
	md, err := renderMarkdown(doc)
	if err != nil {
		return nil, err
	}
	h, err := renderHTML(doc)
	if err != nil {
		return nil, err
	}
	return []File{
		{"report.json", "application/json", js},
		{"report.md", "text/markdown; charset=utf-8", md},
		{"report.html", "text/html; charset=utf-8", h},
	}, nil
}

var funcs = template.FuncMap{
	"statusClass": func(s string) string { return strings.ReplaceAll(s, " ", "-") },
	"chartDays":   chartDays,
	"chartBars":   chartBars,
	"chartHeat":   chartHeat,
	"mdCell": func(s string) string {
		s = strings.ReplaceAll(s, "|", `\|`)
		s = strings.ReplaceAll(s, "\n", " ")
		if len(s) > 120 {
			s = s[:117] + "…"
		}
		return s
	},
	"passMark": func(p *bool) string {
		switch {
		case p == nil:
			return "info"
		case *p:
			return "pass"
		}
		return "fail"
	},
	"date": func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04 UTC") },
	"add":  func(a, b int) int { return a + b },
	"mulf": func(a, b float64) float64 { return a * b },
}

func renderHTML(doc *Document) ([]byte, error) {
	t, err := template.New("report.html.tmpl").Funcs(funcs).ParseFS(templates, "templates/report.html.tmpl")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	return buf.Bytes(), nil
}

func renderMarkdown(doc *Document) ([]byte, error) {
	// text/template semantics are wanted here; html/template would escape.
	t, err := newTextTemplate()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("report: markdown: %w", err)
	}
	return buf.Bytes(), nil
}

// Severity colours, colour-blind safe-ish and ordered.
var sevColor = map[string]string{
	"critical": "#7b1fa2", "high": "#d32f2f", "medium": "#f57c00", "low": "#fbc02d", "informational": "#90a4ae",
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

func esc(s string) string { return template.HTMLEscapeString(s) }

// chartDays draws stacked per-day columns of series (colour by severity
// label when the names are severities). No series: no chart.
func chartDays(id, title string, days []string, series []Series) template.HTML {
	if len(series) == 0 || len(days) == 0 {
		return template.HTML(`<p class="empty" data-chart="` + esc(id) + `">No data for this chart in the period.</p>`)
	}
	const w, h, left, bottom, top = 760.0, 240.0, 40.0, 40.0, 10.0
	totals := make([]int64, len(days))
	for _, s := range series {
		for i, v := range s.Values {
			totals[i] += v
		}
	}
	var maxv int64 = 1
	for _, t := range totals {
		maxv = max(maxv, t)
	}
	bw := (w - left - 10) / float64(len(days))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" data-chart="%s" role="img" aria-label="%s" viewBox="0 0 %g %g" width="100%%" xmlns="http://www.w3.org/2000/svg">`, esc(id), esc(title), w, h+60)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>`, left, top+h-bottom, w-10, top+h-bottom)
	fmt.Fprintf(&b, `<text x="4" y="%g" font-size="10">%d</text><text x="4" y="%g" font-size="10">0</text>`, top+10, maxv, top+h-bottom)
	plotH := h - bottom - top
	for i, d := range days {
		y := top + h - bottom
		for k, s := range series {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			bh := plotH * float64(v) / float64(maxv)
			y -= bh
			col := sevColor[s.Name]
			if col == "" {
				col = palette[k%len(palette)]
			}
			fmt.Fprintf(&b, `<rect class="mark" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				left+float64(i)*bw+1, y, math.Max(bw-2, 1), bh, col, esc(d), esc(s.Name), v)
		}
		if len(days) <= 31 || i%7 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="9" transform="rotate(60 %.1f %g)">%s</text>`,
				left+float64(i)*bw+bw/2, top+h-bottom+12, left+float64(i)*bw+bw/2, top+h-bottom+12, esc(bucketLabel(d)))
		}
	}
	x := left
	for k, s := range series {
		col := sevColor[s.Name]
		if col == "" {
			col = palette[k%len(palette)]
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="10" height="10" fill="%s"/><text x="%.1f" y="%g" font-size="11">%s</text>`, x, h+40, col, x+14, h+49, esc(s.Name))
		x += 24 + 7*float64(len(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// bucketLabel shortens a bucket for an axis: "11-21" for days, "09h" for hours.
func bucketLabel(d string) string {
	if len(d) > 10 {
		return d[11:] + "h"
	}
	return d[5:]
}

// chartBars draws horizontal bars.
func chartBars(id, title string, bars []Bar) template.HTML {
	if len(bars) == 0 {
		return template.HTML(`<p class="empty" data-chart="` + esc(id) + `">No data for this chart in the period.</p>`)
	}
	const w, rowH, left = 760.0, 20.0, 170.0
	var maxv int64 = 1
	for _, br := range bars {
		maxv = max(maxv, br.Value)
	}
	h := rowH*float64(len(bars)) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" data-chart="%s" role="img" aria-label="%s" viewBox="0 0 %g %g" width="100%%" xmlns="http://www.w3.org/2000/svg">`, esc(id), esc(title), w, h)
	for i, br := range bars {
		y := 5 + float64(i)*rowH
		bw := (w - left - 60) * float64(br.Value) / float64(maxv)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="11" text-anchor="end">%s</text>`, left-6, y+13, esc(br.Label))
		fmt.Fprintf(&b, `<rect class="mark" x="%g" y="%.1f" width="%.1f" height="%g" fill="%s"><title>%s: %d</title></rect>`, left, y+2, math.Max(bw, 1), rowH-4, palette[0], esc(br.Label), br.Value)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%d</text>`, left+math.Max(bw, 1)+4, y+13, br.Value)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// chartHeat draws the coverage heat map: one row per expected stream, one
// cell per day, shaded by the share of hours delivered (grey: not yet due).
func chartHeat(id, title string, days []string, rows []HeatRow) template.HTML {
	if len(rows) == 0 || len(days) == 0 {
		return template.HTML(`<p class="empty" data-chart="` + esc(id) + `">No expected log streams in the period.</p>`)
	}
	const left, cellH = 240.0, 16.0
	cw := math.Max(2, math.Min(24, 780/float64(len(days))))
	w := left + cw*float64(len(days)) + 10
	h := cellH*float64(len(rows)) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" data-chart="%s" role="img" aria-label="%s" viewBox="0 0 %g %g" width="%g" xmlns="http://www.w3.org/2000/svg">`, esc(id), esc(title), w, h, w)
	for r, row := range rows {
		y := float64(r) * cellH
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="10" text-anchor="end">%s</text>`, left-6, y+12, esc(row.Stream))
		for i, s := range row.Share {
			fill := "#e0e0e0"
			label := "not due"
			gap := 1.0
			if cw < 4 {
				gap = 0
			}
			if s >= 0 {
				// red (0) → green (1)
				fill = fmt.Sprintf("hsl(%d,70%%,45%%)", int(120*s))
				label = fmt.Sprintf("%.0f%% of hours delivered", 100*s)
			}
			fmt.Fprintf(&b, `<rect class="mark" x="%.1f" y="%.1f" width="%.1f" height="%g" fill="%s"><title>%s %s: %s</title></rect>`,
				left+float64(i)*cw, y+1, cw-gap, cellH-2, fill, esc(row.Stream), esc(days[i]), label)
		}
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10">%s</text><text x="%.1f" y="%g" font-size="10" text-anchor="end">%s</text>`,
		left, h-8, esc(days[0]), left+cw*float64(len(days)), h-8, esc(days[len(days)-1]))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
