package report

import (
	"strings"
	"text/template"
)

func newTextTemplate() (*template.Template, error) {
	return template.New("report.md.tmpl").Funcs(template.FuncMap(funcs)).Funcs(template.FuncMap{
		"join": strings.Join,
	}).ParseFS(templates, "templates/report.md.tmpl")
}
