package convert

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"github.com/seclake/seclake/internal/testutil"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/schemas"
)

func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

func localStore(t testing.TB, dir string) storage.Store {
	t.Helper()
	s, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t testing.TB, cfg Config) *lake.Manifest {
	t.Helper()
	m, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return m
}

// readParts reads every row of a table's parts under the lake dir.
func readParts[T any](t testing.TB, lakeDir, prefix string) []T {
	t.Helper()
	var out []T
	root := filepath.Join(lakeDir, filepath.FromSlash(prefix))
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return nil
		}
		rows, err := parquet.ReadFile[T](p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		out = append(out, rows...)
		return nil
	})
	return out
}

func TestConvertSamples(t *testing.T) {
	lakeDir := t.TempDir()
	raw := localStore(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	m := run(t, Config{Raw: raw, Lake: localStore(t, lakeDir), Workers: 2})

	c := m.Counts
	if c.RecordsRead != 11 || c.RecordsWritten != 11 || c.RecordsQuarantined != 0 || c.FilesRead != 3 || c.FilesSkipped != 1 {
		t.Fatalf("counts %+v", c)
	}
	ct := readParts[schemas.CloudTrail](t, lakeDir, "events/cloudtrail/")
	if len(ct) != 4 {
		t.Fatalf("cloudtrail rows %d", len(ct))
	}
	// rows within a part are in time order
	for i := 1; i < len(ct); i++ {
		if ct[i].EventTime.Before(ct[i-1].EventTime) {
			t.Fatalf("rows not sorted by time: %v then %v", ct[i-1].EventTime, ct[i].EventTime)
		}
	}
	if ct[1].EventName != "ListBuckets" || ct[1].SessionIssuerARN != "arn:aws:iam::111122223333:role/ci-deploy" ||
		ct[1].EventTime != time.Date(2026, 11, 21, 9, 2, 40, 123e6, time.UTC) {
		t.Fatalf("row 1: %+v", ct[1])
	}
	for _, want := range []string{
		"events/cloudtrail/region=us-east-1/accountId=111122223333/eventDay=20261121/eventHour=09/",
		"events/vpcflow/region=us-east-1/accountId=111122223333/eventDay=20261121/eventHour=09/",
		"events/s3access/region=us-east-1/accountId=111122223333/eventDay=20261121/eventHour=09/",
	} {
		found := false
		for _, o := range m.Outputs {
			if strings.HasPrefix(o.Key, want) && strings.HasSuffix(o.Key, ".parquet") {
				found = true
			}
		}
		if !found {
			t.Errorf("no part under %s in %v", want, m.Outputs)
		}
	}
	if got := len(readParts[schemas.VPCFlow](t, lakeDir, "events/vpcflow/")); got != 4 {
		t.Errorf("vpcflow rows %d", got)
	}
	if got := len(readParts[schemas.S3Access](t, lakeDir, "events/s3access/")); got != 3 {
		t.Errorf("s3access rows %d", got)
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "runs/convert/all/manifest.json")); err != nil {
		t.Fatal(err)
	}
}

// snapshot maps every file under dir to its bytes.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return out
}

func TestRerunIsByteIdentical(t *testing.T) {
	lakeDir := t.TempDir()
	raw := localStore(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	cfg := Config{Raw: raw, Lake: localStore(t, lakeDir), Workers: 2}
	run(t, cfg)
	first := snapshot(t, lakeDir)
	cfg.Workers = 1 // a different degree of parallelism must not change a byte
	run(t, cfg)
	second := snapshot(t, lakeDir)
	if len(first) != len(second) {
		t.Fatalf("rerun changed the object set: %d → %d", len(first), len(second))
	}
	for k, v := range first {
		if second[k] != v {
			t.Errorf("rerun changed %s", k)
		}
	}
}

// writeRaw writes files (key → content) into a fresh raw dir.
func writeRaw(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for k, v := range files {
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, v, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func ctEvent(i int) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u%d","accountId":"111122223333"},"eventTime":"2026-11-21T10:%02d:%02dZ","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.%d","eventID":"id-%06d","recipientAccountId":"111122223333","requestParameters":{"pad":"%s"}}`,
		i, (i/60)%60, i%60, i%250, i, strings.Repeat("x", 200))
}

func ctFile(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(ctEvent(i))
	}
	b.WriteString("]}")
	return []byte(b.String())
}

const ctKey = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T1005Z_%s.json.gz"

func TestBadInputIsQuarantinedNeverLost(t *testing.T) {
	good := gz(ctFile(100))
	truncated := good[:len(good)*2/3]
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i/13)
	}
	files := map[string][]byte{
		fmt.Sprintf(ctKey, "good"):      good,
		fmt.Sprintf(ctKey, "truncated"): truncated,
		fmt.Sprintf(ctKey, "empty"):     nil,
		fmt.Sprintf(ctKey, "garbage"):   garbage,
		"misc/notes.txt":                []byte("these are not logs\nat all\n"),
		"misc/badjson.json":             []byte(`{"Records":[` + ctEvent(1) + `,{"eventTime":"2026-11-21T10:00:00Z","eventName":` + "\n"),
	}
	lakeDir := t.TempDir()
	m, err := Run(context.Background(), Config{Raw: localStore(t, writeRaw(t, files)), Lake: localStore(t, lakeDir), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Counts
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.RecordsWritten < 100 {
		t.Fatalf("the good file's 100 records were not all written: %+v", c)
	}
	q := readParts[schemas.Quarantine](t, lakeDir, "quarantine/")
	if int64(len(q)) != c.RecordsQuarantined {
		t.Fatalf("quarantine rows %d, manifest says %d", len(q), c.RecordsQuarantined)
	}
	byObj := map[string]int{}
	for _, r := range q {
		byObj[r.SourceObject]++
		if r.Error == "" || r.Stage == "" {
			t.Errorf("quarantine row without error/stage: %+v", r)
		}
	}
	for _, k := range []string{fmt.Sprintf(ctKey, "truncated"), fmt.Sprintf(ctKey, "garbage"), "misc/notes.txt", "misc/badjson.json"} {
		if byObj[k] == 0 {
			t.Errorf("%s: nothing quarantined (have %v)", k, byObj)
		}
	}
	if byObj[fmt.Sprintf(ctKey, "empty")] != 0 || byObj[fmt.Sprintf(ctKey, "good")] != 0 {
		t.Errorf("good or empty object quarantined: %v", byObj)
	}
	// every input is listed in the manifest
	if len(m.Inputs) != len(files) {
		t.Errorf("manifest lists %d inputs, want %d", len(m.Inputs), len(files))
	}
}

func TestLargeSingleLineFile(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB input")
	}
	// ~50 MB of Records on one line converts fully; a single 9 MB event is
	// larger than any real one and is quarantined, truncated.
	n := 50 << 20 / len(ctEvent(1))
	big := ctFile(n)
	huge := []byte(`{"eventTime":"2026-11-21T10:00:00Z","eventName":"X","requestParameters":{"p":"` + strings.Repeat("y", 9<<20) + `"}}` + "\n")
	files := map[string][]byte{
		fmt.Sprintf(ctKey, "big"): gz(big),
		"ndjson/huge.json":        huge,
	}
	lakeDir := t.TempDir()
	m := run(t, Config{Raw: localStore(t, writeRaw(t, files)), Lake: localStore(t, lakeDir), Workers: 2})
	if m.Counts.RecordsWritten != int64(n) || m.Counts.RecordsQuarantined != 1 {
		t.Fatalf("counts %+v (want %d written, 1 quarantined)", m.Counts, n)
	}
	q := readParts[schemas.Quarantine](t, lakeDir, "quarantine/")
	if len(q) != 1 || !q[0].RawTruncated || len(q[0].Raw) != schemas.RawLimit {
		t.Fatalf("quarantine %d rows, truncated=%v len=%d", len(q), q[0].RawTruncated, len(q[0].Raw))
	}
}

func TestWrongSourceIsAClearError(t *testing.T) {
	files := map[string][]byte{"x/a.json.gz": gz(ctFile(5)), "x/b.json": ctFile(3)}
	lakeDir := t.TempDir()
	m, err := Run(context.Background(), Config{Raw: localStore(t, writeRaw(t, files)), Lake: localStore(t, lakeDir), Source: "vpcflow"})
	if !errors.Is(err, ErrWrongSource) {
		t.Fatalf("want ErrWrongSource, got %v", err)
	}
	if !strings.Contains(err.Error(), "cloudtrail") {
		t.Errorf("error should say what the objects look like: %v", err)
	}
	if m == nil || m.Counts.Check() != nil || m.Counts.RecordsQuarantined != 2 {
		t.Fatalf("manifest %+v", m)
	}
	if _, err := Run(context.Background(), Config{Raw: localStore(t, writeRaw(t, files)), Lake: localStore(t, lakeDir), Source: "syslog"}); err == nil || !strings.Contains(err.Error(), "--source") {
		t.Fatalf("unknown --source: %v", err)
	}
}

func TestWindowSelectsByDeliveryTime(t *testing.T) {
	files := map[string][]byte{}
	for _, slot := range []string{"20261121T0955Z", "20261121T1005Z", "20261121T1055Z", "20261121T1105Z"} {
		files["AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_"+slot+"_x.json.gz"] = gz(ctFile(2))
	}
	lakeDir := t.TempDir()
	w := lake.Window{From: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)}
	m := run(t, Config{Raw: localStore(t, writeRaw(t, files)), Lake: localStore(t, lakeDir), Window: w})
	var keys []string
	for _, in := range m.Inputs {
		keys = append(keys, in.Key)
	}
	sort.Strings(keys)
	if len(keys) != 2 || !strings.Contains(keys[0], "T1005Z") || !strings.Contains(keys[1], "T1055Z") {
		t.Fatalf("window picked %v", keys)
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "runs/convert/20261121T100000Z-20261121T110000Z/manifest.json")); err != nil {
		t.Fatal(err)
	}
}

func TestRerunRemovesStaleParts(t *testing.T) {
	rawDir := writeRaw(t, map[string][]byte{fmt.Sprintf(ctKey, "a"): gz(ctFile(50))})
	lakeDir := t.TempDir()
	cfg := Config{Raw: localStore(t, rawDir), Lake: localStore(t, lakeDir), Writer: lake.WriterOptions{MaxPartRows: 10, MaxBufferedRows: 10}}
	m1 := run(t, cfg)
	if len(m1.Outputs) != 5 {
		t.Fatalf("want 5 parts of 10 rows, got %d", len(m1.Outputs))
	}
	// The same window now holds fewer records: the extra parts must go.
	os.WriteFile(filepath.Join(rawDir, filepath.FromSlash(fmt.Sprintf(ctKey, "a"))), gz(ctFile(20)), 0o644)
	m2 := run(t, cfg)
	if len(m2.Outputs) != 2 {
		t.Fatalf("want 2 parts, got %d", len(m2.Outputs))
	}
	if got := len(readParts[schemas.CloudTrail](t, lakeDir, "events/")); got != 20 {
		t.Fatalf("lake holds %d rows after rerun, want 20", got)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	raw := localStore(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	lakeDir := t.TempDir()
	if _, err := Run(ctx, Config{Raw: raw, Lake: localStore(t, lakeDir)}); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	if _, err := os.Stat(filepath.Join(lakeDir, "runs")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("cancelled run committed a manifest: %v", err)
	}
}

var _ = io.EOF

func TestPrefixes(t *testing.T) {
	files := map[string][]byte{
		fmt.Sprintf(ctKey, "a"): gz(ctFile(3)),
		"other/notes.txt":       []byte("not a log"),
		"labels.json":           []byte(`{"scenarios":[]}`),
	}
	raw := localStore(t, writeRaw(t, files))
	// nested and repeated prefixes do not read an object twice
	m := run(t, Config{Raw: raw, Lake: localStore(t, t.TempDir()), Prefixes: []string{"AWSLogs/111122223333/", "AWSLogs/", "AWSLogs/"}})
	if len(m.Inputs) != 1 || m.Counts.RecordsWritten != 3 || m.Counts.RecordsQuarantined != 0 {
		t.Fatalf("inputs %d counts %+v", len(m.Inputs), m.Counts)
	}
}
