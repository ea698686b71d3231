package compliance

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	compliancesql "github.com/seclake/seclake/sql/compliance"
)

// Expectations of an evidence query.
const (
	ExpectNone = "none" // met when the query returns no rows
	ExpectSome = "some" // met when it returns at least one row
	ExpectInfo = "info" // shown, never judged
)

// Mapping is the whole control mapping.
type Mapping struct {
	Frameworks []Framework `yaml:"frameworks"`
}

// Framework is one compliance framework.
type Framework struct {
	ID       string    `yaml:"id"`
	Title    string    `yaml:"title"`
	Controls []Control `yaml:"controls"`
}

// Control is one control with the queries that decide its status.
type Control struct {
	ID        string  `yaml:"id"`
	Title     string  `yaml:"title"`
	Objective string  `yaml:"objective"`
	Requires  []Query `yaml:"requires"`
	Evidence  []Query `yaml:"evidence"`
}

// Query is one named SQL statement.
type Query struct {
	Name   string `yaml:"name"`
	Expect string `yaml:"expect"`
	SQL    string `yaml:"sql"`
	Limit  int    `yaml:"limit"`
}

// DefaultMapping is the embedded sql/compliance/controls.yaml.
func DefaultMapping() (*Mapping, error) { return ParseMapping(compliancesql.Controls) }

// ParseMapping decodes and checks a mapping; unknown keys are errors.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("compliance: mapping: %w", err)
	}
	return &m, m.Validate()
}

// Validate checks ids are unique and every query is complete.
func (m *Mapping) Validate() error {
	var errs []error
	fw := map[string]bool{}
	for _, f := range m.Frameworks {
		if f.ID == "" || fw[f.ID] {
			errs = append(errs, fmt.Errorf("framework %q: empty or duplicate id", f.ID))
		}
		fw[f.ID] = true
		ctl := map[string]bool{}
		for _, c := range f.Controls {
			where := f.ID + " " + c.ID
			if c.ID == "" || ctl[c.ID] {
				errs = append(errs, fmt.Errorf("%s: empty or duplicate control id", where))
			}
			ctl[c.ID] = true
			if len(c.Evidence) == 0 {
				errs = append(errs, fmt.Errorf("%s: no evidence query", where))
			}
			for _, q := range c.Requires {
				if q.Name == "" || q.SQL == "" {
					errs = append(errs, fmt.Errorf("%s: requires: a query needs a name and sql", where))
				}
			}
			for _, q := range c.Evidence {
				if q.Name == "" || q.SQL == "" {
					errs = append(errs, fmt.Errorf("%s: evidence: a query needs a name and sql", where))
				}
				if !slices.Contains([]string{ExpectNone, ExpectSome, ExpectInfo}, q.Expect) {
					errs = append(errs, fmt.Errorf("%s: evidence %q: expect %q: want none, some or info", where, q.Name, q.Expect))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Framework finds a framework by id.
func (m *Mapping) Framework(id string) (Framework, bool) {
	for _, f := range m.Frameworks {
		if f.ID == id {
			return f, true
		}
	}
	return Framework{}, false
}

// IDs lists the framework ids in mapping order.
func (m *Mapping) IDs() []string {
	var out []string
	for _, f := range m.Frameworks {
		out = append(out, f.ID)
	}
	return out
}
