package convert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil/faultproxy"
	"github.com/seclake/seclake/internal/testutil/minio"
)

// faultLab is a MinIO with raw logs uploaded under raw/ and the bytes of an
// uninterrupted convert under ref/.
type faultLab struct {
	srv   *minio.Server
	proxy *faultproxy.Proxy
	ref   map[string]string // key below the lake prefix → sha256
	opts  lake.WriterOptions
	n     int
}

func newFaultLab(t *testing.T) *faultLab {
	t.Helper()
	srv := minio.Start(t)
	ctx := context.Background()
	l := &faultLab{srv: srv, opts: lake.WriterOptions{MaxPartRows: 20, MaxBufferedRows: 40}}
	raw := l.store(t, srv.Options(), "raw", 1)
	files := map[string][]byte{}
	for i, slot := range []string{"0955", "1005", "1055"} {
		files["AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/21/111122223333_CloudTrail_eu-west-1_20261121T"+slot+"Z_x.json.gz"] = gz(ctFile(30 + 10*i))
	}
	files["misc/notes.txt"] = []byte("not a log") // a quarantine part too
	local := localStore(t, filepath.Join(repoRoot(t), "testdata", "raw"))
	err := local.List(ctx, "", func(o storage.ObjectInfo) error {
		rc, _, err := local.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		files[o.Key] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range files {
		if err := raw.Put(ctx, k, strings.NewReader(string(v)), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	m := run(t, Config{Raw: raw, Lake: l.store(t, srv.Options(), "ref", 1), Writer: l.opts, Workers: 2})
	if len(m.Outputs) < 8 {
		t.Fatalf("only %d parts: the faults would hit few puts", len(m.Outputs))
	}
	l.ref = l.snapshot(t, "ref")
	l.proxy = faultproxy.Start(t, srv.Addr())
	return l
}

func (l *faultLab) store(t *testing.T, o storage.S3Options, prefix string, attempts int) storage.Store {
	t.Helper()
	o.Prefix = prefix
	o.MaxAttempts = attempts
	s, err := storage.NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// viaProxy returns raw and lake stores (a fresh lake prefix) whose every
// request goes through the fault proxy.
func (l *faultLab) viaProxy(t *testing.T, attempts int) (raw, lk storage.Store, prefix string) {
	l.n++
	o := l.srv.Options()
	o.Endpoint = l.proxy.URL
	prefix = fmt.Sprintf("lake%02d", l.n)
	return l.store(t, o, "raw", attempts), l.store(t, o, prefix, attempts), prefix
}

// snapshot maps every object under prefix/ to the sha256 of its bytes.
func (l *faultLab) snapshot(t *testing.T, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cli := l.srv.Client()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(cli, &s3.ListObjectsV2Input{Bucket: aws.String(l.srv.Bucket), Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			g, err := cli.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.srv.Bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			_, err = io.Copy(h, g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[strings.TrimPrefix(aws.ToString(o.Key), prefix+"/")] = hex.EncodeToString(h.Sum(nil))
		}
	}
	return out
}

// checkSameAsRef fails unless the lake under prefix holds exactly the
// reference objects and bytes.
func (l *faultLab) checkSameAsRef(t *testing.T, prefix string) {
	t.Helper()
	got := l.snapshot(t, prefix)
	if len(got) != len(l.ref) {
		t.Errorf("%s: %d objects, uninterrupted run has %d", prefix, len(got), len(l.ref))
	}
	for k, v := range l.ref {
		if got[k] != v {
			t.Errorf("%s: %s differs from the uninterrupted run", prefix, k)
		}
	}
}

// checkNothingCommitted fails if a failed run left a manifest, or any object
// whose bytes are not those an uninterrupted run writes at that key (a
// partial or corrupt object).
func (l *faultLab) checkNothingCommitted(t *testing.T, prefix string) {
	t.Helper()
	for k, v := range l.snapshot(t, prefix) {
		if strings.HasPrefix(k, "runs/") {
			t.Errorf("%s: failed run committed %s", prefix, k)
		} else if l.ref[k] != v {
			t.Errorf("%s: failed run left %s with bytes no clean run writes", prefix, k)
		}
	}
	out, err := l.srv.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(l.srv.Bucket), Prefix: aws.String(prefix + "/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) > 0 {
		t.Errorf("%s: %d multipart uploads left open", prefix, len(out.Uploads))
	}
}

func isPut(r *http.Request) bool { return r.Method == http.MethodPut }

func isManifestPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/"+lake.ManifestName)
}

// TestConvertS3ServerFaults runs convert into an S3 lake through a proxy
// that injects server faults. Transient faults are retried with backoff and
// give exactly the bytes of an uninterrupted run; persistent ones fail the
// run with the server's error, commit nothing, and a rerun once the fault has
// cleared gives the uninterrupted bytes.
func TestConvertS3ServerFaults(t *testing.T) {
	l := newFaultLab(t)
	cases := []struct {
		name     string
		arm      func(p *faultproxy.Proxy)
		attempts int
		wantCode string // "" = the run succeeds
	}{
		{"503 SlowDown ×4, retried", func(p *faultproxy.Proxy) { p.FailRequests(4, 503, "SlowDown", nil) }, 5, ""},
		{"500 InternalError ×4, retried", func(p *faultproxy.Proxy) { p.FailRequests(4, 500, "InternalError", nil) }, 5, ""},
		{"503 ServiceUnavailable on 3 puts, retried", func(p *faultproxy.Proxy) { p.FailRequests(3, 503, "ServiceUnavailable", isPut) }, 5, ""},
		{"3 connections reset, retried", func(p *faultproxy.Proxy) { p.ResetConnections(3) }, 5, ""},
		{"slow network (3 ms per chunk)", func(p *faultproxy.Proxy) { p.SetDelay(3 * time.Millisecond) }, 5, ""},
		{"every put SlowDown: fails", func(p *faultproxy.Proxy) { p.FailRequests(1<<30, 503, "SlowDown", isPut) }, 3, "SlowDown"},
		{"every put InternalError, no retries: fails", func(p *faultproxy.Proxy) { p.FailRequests(1<<30, 500, "InternalError", isPut) }, 1, "InternalError"},
		{"manifest put fails: nothing committed", func(p *faultproxy.Proxy) { p.FailRequests(1<<30, 500, "InternalError", isManifestPut) }, 3, "InternalError"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, lk, prefix := l.viaProxy(t, c.attempts)
			l.proxy.DropAll() // pooled connections of earlier cases must not dodge the fault
			before := l.proxy.Stats()
			c.arm(l.proxy)
			start := time.Now()
			_, err := Run(context.Background(), Config{Raw: raw, Lake: lk, Writer: l.opts, Workers: 2})
			took := time.Since(start)
			st := l.proxy.Stats()
			l.proxy.FailRequests(0, 0, "", nil)
			l.proxy.ResetConnections(0)
			l.proxy.SetDelay(0)
			t.Logf("%s: err=%v; %v; %d requests, %d answered with an injected error, %d connections reset",
				c.name, err, took.Round(time.Millisecond), st.Requests-before.Requests, st.Failed-before.Failed, st.Resets-before.Resets)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("transient fault not retried: %v", err)
				}
				if st.Failed == before.Failed && st.Resets == before.Resets && c.name != "slow network (3 ms per chunk)" {
					t.Fatal("the fault never fired")
				}
				l.checkSameAsRef(t, prefix)
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.wantCode {
				t.Fatalf("want the server's %s error, got %v", c.wantCode, err)
			}
			if !strings.Contains(err.Error(), "storage: put s3://") {
				t.Errorf("error does not name the object: %v", err)
			}
			l.checkNothingCommitted(t, prefix)
			if left := l.snapshot(t, prefix); c.name != "manifest put fails: nothing committed" && len(left) != 0 {
				t.Errorf("the failed run left %d parts (it removes what it put)", len(left))
			}
			// the fault clears: a rerun gives the uninterrupted lake
			run(t, Config{Raw: raw, Lake: lk, Writer: l.opts, Workers: 2})
			l.checkSameAsRef(t, prefix)
		})
	}
}

// stopAtPut stops (or kills) the server just before the n-th put.
type stopAtPut struct {
	storage.Store
	left atomic.Int64
	stop func()
}

func (s *stopAtPut) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) error {
	if s.left.Add(-1) == -1 {
		s.stop()
	}
	return s.Store.Put(ctx, key, r, o)
}

// TestConvertS3ServerStoppedMidRun: MinIO goes away in the middle of a run
// (clean stop, or SIGKILL), at several points; the run fails with an error,
// commits nothing; after a restart a rerun gives the uninterrupted lake.
func TestConvertS3ServerStoppedMidRun(t *testing.T) {
	l := newFaultLab(t)
	for _, c := range []struct {
		name string
		at   int64
		kill bool
	}{{"stop before put 1", 0, false}, {"stop before put 5", 4, false}, {"kill before put 9", 8, true}} {
		t.Run(c.name, func(t *testing.T) {
			raw, lk, prefix := l.viaProxy(t, 3)
			stop := l.srv.Stop
			if c.kill {
				stop = l.srv.Kill
			}
			sp := &stopAtPut{Store: lk, stop: stop}
			sp.left.Store(c.at)
			start := time.Now()
			_, err := Run(context.Background(), Config{Raw: raw, Lake: sp, Writer: l.opts, Workers: 2})
			t.Logf("%s: err=%v after %v", c.name, err, time.Since(start).Round(time.Millisecond))
			if err == nil {
				t.Fatal("run against a stopped server succeeded")
			}
			l.srv.Restart()
			l.checkNothingCommitted(t, prefix)
			t.Logf("%s: %d uncommitted parts left (the server was down for the cleanup)", c.name, len(l.snapshot(t, prefix)))
			run(t, Config{Raw: raw, Lake: lk, Writer: l.opts, Workers: 2})
			l.checkSameAsRef(t, prefix)
		})
	}
}

// TestConvertS3Blackhole: a server that accepts connections and never
// answers. Each attempt times out (S3Options.ResponseTimeout), so the run
// fails by itself, with no deadline from the caller, and commits nothing;
// with a caller's deadline it ends at the deadline.
func TestConvertS3Blackhole(t *testing.T) {
	l := newFaultLab(t)
	for _, withDeadline := range []bool{false, true} {
		l.n++
		o := l.srv.Options()
		o.Endpoint = l.proxy.URL
		o.ResponseTimeout = time.Second
		prefix := fmt.Sprintf("lake%02d", l.n)
		raw, lk := l.store(t, o, "raw", 2), l.store(t, o, prefix, 2)
		ctx, cancel := context.Background(), func() {}
		if withDeadline {
			o.ResponseTimeout = time.Hour
			raw, lk = l.store(t, o, "raw", 2), l.store(t, o, prefix, 2)
			ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
		}
		l.proxy.DropAll()
		l.proxy.SetBlackhole(true)
		start := time.Now()
		_, err := Run(ctx, Config{Raw: raw, Lake: lk, Writer: l.opts, Workers: 2})
		took := time.Since(start)
		cancel()
		l.proxy.SetBlackhole(false)
		l.proxy.DropAll()
		t.Logf("blackhole (caller deadline %v): err=%v after %v", withDeadline, err, took.Round(time.Millisecond))
		if err == nil || took > 20*time.Second {
			t.Fatalf("err %v after %v: want an error within seconds", err, took)
		}
		l.checkNothingCommitted(t, prefix)
	}
}
