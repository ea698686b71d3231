package entity

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seclake/seclake/schemas"
)

// labelFile is testdata/labels/*.json: events referenced by corpus file and
// index (the corpus is never copied here) and their expected entities at the
// default threshold.
type labelFile struct {
	Source string `json:"source"`
	Events []struct {
		Ref struct {
			File  string `json:"file"`
			Index int    `json:"index"`
		} `json:"ref"`
		Entities []ke `json:"entities"`
	} `json:"events"`
}

// score accumulates per-kind true/false positives and false negatives.
type score struct {
	tp, fp, fn map[Kind]int
	events     int
	errs       []string
}

func newScore() *score {
	return &score{tp: map[Kind]int{}, fp: map[Kind]int{}, fn: map[Kind]int{}}
}

// add compares the entities of one event (any role) with the labels.
func (s *score) add(name string, got []Entity, want []ke) {
	s.events++
	g := map[ke]bool{}
	for _, e := range got {
		g[ke{e.Kind, e.Value}] = true
	}
	w := map[ke]bool{}
	for _, e := range want {
		w[e] = true
	}
	for k := range g {
		if w[k] {
			s.tp[k.Kind]++
		} else {
			s.fp[k.Kind]++
			s.errs = append(s.errs, fmt.Sprintf("%s: false positive %s %q", name, k.Kind, k.Value))
		}
	}
	for k := range w {
		if !g[k] {
			s.fn[k.Kind]++
			s.errs = append(s.errs, fmt.Sprintf("%s: missed %s %q", name, k.Kind, k.Value))
		}
	}
}

// byRow groups Extract output by row.
func byRow(ents []Entity, rows int) [][]Entity {
	out := make([][]Entity, rows)
	for _, e := range ents {
		out[e.Row] = append(out[e.Row], e)
	}
	return out
}

const (
	minPrecision = 0.99
	minRecall    = 0.98
)

// TestQuality scores extraction on the labelled corpus: the stratus-red-team
// events (labels in testdata/labels/stratus.json, when the corpus is
// present) plus synthetic CloudTrail, VPC Flow and S3 access events with
// planted entities and decoys. It fails when a kind falls below precision
// 0.99 or recall 0.98, and logs the per-kind table.
func TestQuality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	x := New(Options{})
	sc := newScore()

	// Synthetic events.
	ct, ctWant := synthCloudTrail(1, 400)
	got := byRow(x.Extract(rowsToColumns(t, mem, ct), len(ct)), len(ct))
	for i := range ct {
		sc.add(fmt.Sprintf("synth cloudtrail #%d", i), got[i], ctWant[i])
	}
	fl, flWant := synthFlow(2, 100)
	got = byRow(x.Extract(rowsToColumns(t, mem, fl), len(fl)), len(fl))
	for i := range fl {
		sc.add(fmt.Sprintf("synth vpcflow #%d", i), got[i], flWant[i])
	}
	s3, s3Want := synthS3(3, 100)
	got = byRow(x.Extract(rowsToColumns(t, mem, s3), len(s3)), len(s3))
	for i := range s3 {
		sc.add(fmt.Sprintf("synth s3access #%d", i), got[i], s3Want[i])
	}
	synthetic := sc.events

	// Labelled real events.
	if _, err := os.Stat(corpusDir); err == nil {
		ev := loadStratus(t)
		var lf labelFile
		data, err := os.ReadFile(filepath.Join("testdata", "labels", "stratus.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &lf); err != nil {
			t.Fatal(err)
		}
		if len(lf.Events) != len(ev) {
			t.Fatalf("labels for %d events, corpus has %d", len(lf.Events), len(ev))
		}
		rows := make([]schemas.CloudTrail, len(ev))
		for i := range ev {
			rows[i] = ev[i].Row
			if r := lf.Events[i].Ref; r.File != ev[i].File || r.Index != ev[i].Index {
				t.Fatalf("label %d is for %s[%d], event is %s[%d]", i, r.File, r.Index, ev[i].File, ev[i].Index)
			}
		}
		got := byRow(x.Extract(rowsToColumns(t, mem, rows), len(rows)), len(rows))
		for i := range ev {
			sc.add(fmt.Sprintf("%s[%d]", ev[i].File, ev[i].Index), got[i], lf.Events[i].Entities)
		}
	} else {
		t.Logf("corpus absent (%v): synthetic events only", err)
	}
	if sc.events < 500 {
		t.Errorf("labelled corpus has %d events, want ≥ 500", sc.events)
	}

	var tb strings.Builder
	fmt.Fprintf(&tb, "%d events (%d synthetic, %d stratus-red-team)\n", sc.events, synthetic, sc.events-synthetic)
	fmt.Fprintf(&tb, "%-22s %6s %5s %5s %9s %7s\n", "kind", "TP", "FP", "FN", "precision", "recall")
	for _, k := range Kinds {
		tp, fp, fn := sc.tp[k], sc.fp[k], sc.fn[k]
		p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
		fmt.Fprintf(&tb, "%-22s %6d %5d %5d %9.4f %7.4f\n", k, tp, fp, fn, p, r)
		if tp+fn == 0 {
			t.Errorf("kind %s has no labelled instance", k)
		}
		if p < minPrecision || r < minRecall {
			t.Errorf("kind %s: precision %.4f recall %.4f, want ≥ %.2f / %.2f", k, p, r, minPrecision, minRecall)
		}
	}
	t.Log("\n" + tb.String())
	slices.Sort(sc.errs)
	for i, e := range sc.errs {
		if i == 40 {
			t.Logf("… %d more", len(sc.errs)-i)
			break
		}
		t.Log(e)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
