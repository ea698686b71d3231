package convert

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/cloudtrail"
	"github.com/seclake/seclake/internal/rawlog/s3access"
	"github.com/seclake/seclake/internal/rawlog/vpcflow"
	"github.com/seclake/seclake/schemas"
)

// mutationSeeds are real files: testdata/raw and, when present,
// ../shared/corpus (decompressed, at most 64 KiB each), sorted by path.
func mutationSeeds(t *testing.T) [][]byte {
	t.Helper()
	var seeds [][]byte
	roots := []string{filepath.Join(repoRoot(t), "testdata", "raw")}
	if c := filepath.Join(repoRoot(t), "..", "shared", "corpus"); dirExists(c) {
		roots = append(roots, c)
	} else {
		t.Log("../shared/corpus not present: mutating testdata/raw only")
	}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				if u, err := io.ReadAll(io.LimitReader(zr, 64<<10)); err == nil {
					b = u
				}
			}
			if len(b) > 64<<10 {
				b = b[:64<<10]
			}
			if len(b) > 0 {
				seeds = append(seeds, b)
			}
			return nil
		})
	}
	return seeds
}

func dirExists(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() }

var tokens = [][]byte{
	[]byte(`"`), []byte(`\`), []byte(`{`), []byte(`}`), []byte(`[`), []byte(`]`), []byte(`,`), []byte(`:`),
	[]byte("\n"), []byte("\r\n"), []byte("\x00"), []byte("\xff\xfe"), []byte("\xed\xa0\x80"), []byte(`\u0000`),
	[]byte(`\ud800`), []byte(`"eventID":"dup"`), []byte(`"eventTime":"9999-12-31T23:59:59Z"`),
	[]byte(`"eventTime":"0001-01-01T00:00:00Z"`), []byte(`1e999`), []byte(`-0`), []byte(`null`),
	[]byte(`"sourceIPAddress":"fe80::1%eth0"`), []byte(`'; DROP TABLE cloudtrail; --`), []byte(strings.Repeat("[", 3000)),
	[]byte(" - "), []byte(`"-"`), []byte("\t"), []byte("version account-id"), []byte("NODATA"),
}

// mutate applies 1–4 random edits to a copy of seeds[i] (splices may pull
// bytes from another seed).
func mutate(rng *rand.Rand, seeds [][]byte) []byte {
	in := append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
	for range 1 + rng.IntN(4) {
		if len(in) == 0 {
			in = append(in, tokens[rng.IntN(len(tokens))]...)
			continue
		}
		p := rng.IntN(len(in))
		q := p + rng.IntN(min(len(in)-p, 4096)+1)
		switch rng.IntN(8) {
		case 0: // flip bits
			in[p] ^= byte(1 << rng.IntN(8))
		case 1: // random byte
			in[p] = byte(rng.IntN(256))
		case 2: // delete a range
			in = append(in[:p], in[q:]...)
		case 3: // duplicate a range (repeats whole records: duplicate events)
			in = append(in[:q], append(append([]byte(nil), in[p:q]...), in[q:]...)...)
		case 4: // truncate
			in = in[:p]
		case 5: // insert a hostile token
			tok := tokens[rng.IntN(len(tokens))]
			in = append(in[:p], append(append([]byte(nil), tok...), in[p:]...)...)
		case 6: // splice from another seed
			o := seeds[rng.IntN(len(seeds))]
			a := rng.IntN(len(o))
			b := a + rng.IntN(min(len(o)-a, 2048)+1)
			in = append(in[:p], append(append([]byte(nil), o[a:b]...), in[p:]...)...)
		case 7: // swap two bytes
			in[p], in[q-min(q, 1)] = in[q-min(q, 1)], in[p]
		}
	}
	return in
}

// parseAll runs one parser over in, checking its accounting.
func parseAll[T any](t *testing.T, name string, i int, parse func(io.Reader, rawlog.Sink[T]) (rawlog.Stats, error), in []byte) []T {
	var rows []T
	var bads int64
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("mutation %d: %s parser panicked: %v\ninput %q", i, name, r, in)
		}
	}()
	st, err := parse(bytes.NewReader(in), rawlog.Sink[T]{
		Row: func(r T) error { rows = append(rows, r); return nil },
		Bad: func(rawlog.Bad) error { bads++; return nil },
	})
	if err == nil && st.Records != int64(len(rows))+bads {
		t.Fatalf("mutation %d: %s parser counted %d records, emitted %d rows + %d bad", i, name, st.Records, len(rows), bads)
	}
	return rows
}

// TestMutatedInputsAtScale feeds ≥10 000 seeded mutations of real files to
// every parser and extracts entities from whatever rows come out: no panic,
// every record accounted for. Every 40th mutation also goes through a whole
// convert run, whose manifest must balance (read = written + quarantined +
// duplicate) and whose parts must hold exactly the rows it says.
func TestMutatedInputsAtScale(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	seeds := mutationSeeds(t)
	rng := rand.New(rand.NewPCG(8, 2026))
	x := &extract.Extraction{Extractor: entity.New(entity.Options{})}
	var ct cloudtrail.Parser
	var s3p s3access.Parser
	obj := rawlog.Object{Key: "mut", Region: "eu-west-1", Account: "111122223333"}
	ctx := context.Background()
	raw := map[string][]byte{}
	var rowsSeen [3]int
	for i := range n {
		in := mutate(rng, seeds)
		ctRows := parseAll(t, "cloudtrail", i, func(r io.Reader, s rawlog.Sink[schemas.CloudTrail]) (rawlog.Stats, error) {
			return ct.Parse(ctx, r, obj, s)
		}, in)
		vfRows := parseAll(t, "vpcflow", i, func(r io.Reader, s rawlog.Sink[schemas.VPCFlow]) (rawlog.Stats, error) {
			return (&vpcflow.Parser{}).Parse(ctx, r, obj, s)
		}, in)
		s3Rows := parseAll(t, "s3access", i, func(r io.Reader, s rawlog.Sink[schemas.S3Access]) (rawlog.Stats, error) {
			return s3p.Parse(ctx, r, obj, s)
		}, in)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("mutation %d: entity extraction panicked: %v\ninput %q", i, r, in)
				}
			}()
			x.CloudTrail(ctRows)
			x.VPCFlow(vfRows)
			x.S3Access(s3Rows)
		}()
		rowsSeen[0] += len(ctRows)
		rowsSeen[1] += len(vfRows)
		rowsSeen[2] += len(s3Rows)
		if i%40 == 0 {
			raw[fmt.Sprintf("mut/%05d", i)] = in
		}
	}
	t.Logf("%d mutations of %d seed files: %d cloudtrail, %d vpcflow, %d s3access rows survived", n, len(seeds), rowsSeen[0], rowsSeen[1], rowsSeen[2])
	m := run(t, Config{Raw: localStore(t, writeRaw(t, raw)), Lake: localStore(t, t.TempDir()), Workers: 2,
		Extraction: x})
	if err := m.Counts.Check(); err != nil {
		t.Fatal(err)
	}
	for _, in := range m.Inputs {
		if in.Records != in.Written+in.Quarantined+in.Duplicates {
			t.Errorf("%s: %d read != %d written + %d quarantined + %d duplicate", in.Key, in.Records, in.Written, in.Quarantined, in.Duplicates)
		}
	}
	t.Logf("convert over %d mutated objects: %+v", len(raw), m.Counts)
}
