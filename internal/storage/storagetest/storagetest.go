// Package storagetest is the conformance suite every storage.Store backend
// must pass. Backends run it from their own tests:
//
//	storagetest.Run(t, func(t *testing.T) storage.Store { ... fresh, empty store ... })
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

// LargeSize is the size of the large round-trip object: above 16 MiB so that
// S3 backends (part size at most 16 MiB) go through a multipart upload.
const LargeSize = 17<<20 + 12345

// Run runs the conformance suite. newStore must return a fresh, empty store
// for each call; it is called once per subtest.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newStore(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("Stat", func(t *testing.T) { testStat(t, newStore(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, newStore(t)) })
	t.Run("FailingReader", func(t *testing.T) { testFailingReader(t, newStore(t)) })
	t.Run("ContextCancel", func(t *testing.T) { testContextCancel(t, newStore(t)) })
	t.Run("Conditional", func(t *testing.T) { testConditional(t, newStore(t)) })
	t.Run("ConditionalRace", func(t *testing.T) { testConditionalRace(t, newStore(t)) })
}

func condPut(s storage.Store, key, body string, o storage.PutOptions) error {
	return s.Put(context.Background(), key, strings.NewReader(body), o)
}

// testConditional: If-None-Match creates only; If-Match replaces only the
// version it names; a failed condition leaves the object as it was.
func testConditional(t *testing.T, s storage.Store) {
	ctx := context.Background()
	const key = "locks/hourly.json"
	if err := condPut(s, key, "v1", storage.PutOptions{IfMatch: "nope"}); !errors.Is(err, storage.ErrPreconditionFailed) {
		t.Fatalf("If-Match on a missing object: err = %v, want ErrPreconditionFailed", err)
	}
	if err := condPut(s, key, "v1", storage.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatalf("If-None-Match on a missing object: %v", err)
	}
	if err := condPut(s, key, "v2", storage.PutOptions{IfNoneMatch: true}); !errors.Is(err, storage.ErrPreconditionFailed) {
		t.Fatalf("If-None-Match on an existing object: err = %v, want ErrPreconditionFailed", err)
	}
	got, info := MustGet(t, s, key)
	sameBytes(t, "after failed If-None-Match", got, []byte("v1"))
	if err := condPut(s, key, "v3", storage.PutOptions{IfMatch: "0123-stale"}); !errors.Is(err, storage.ErrPreconditionFailed) {
		t.Fatalf("If-Match with a wrong ETag: err = %v, want ErrPreconditionFailed", err)
	}
	// Same size as v1: the ETag must still change.
	if err := condPut(s, key, "v4", storage.PutOptions{IfMatch: info.ETag}); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	got, info2 := MustGet(t, s, key)
	sameBytes(t, "after If-Match", got, []byte("v4"))
	if info2.ETag == info.ETag {
		t.Fatalf("ETag unchanged after a conditional replace: %q", info2.ETag)
	}
	if err := condPut(s, key, "v5", storage.PutOptions{IfMatch: info.ETag}); !errors.Is(err, storage.ErrPreconditionFailed) {
		t.Fatalf("If-Match with the previous ETag: err = %v, want ErrPreconditionFailed", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := condPut(s, key, "v6", storage.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatalf("If-None-Match after Delete: %v", err)
	}
	if keys := Keys(t, s, ""); !slices.Equal(keys, []string{key}) {
		t.Errorf("List = %q, want only %q", keys, key)
	}
}

// testConditionalRace: of many concurrent creators exactly one wins, and of
// many concurrent replacers of one version exactly one wins.
func testConditionalRace(t *testing.T, s storage.Store) {
	const n = 8
	race := func(o storage.PutOptions) int {
		var wg sync.WaitGroup
		var won, lost atomic.Int32
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := condPut(s, "race/lock", fmt.Sprintf("writer-%d", i), o)
				switch {
				case err == nil:
					won.Add(1)
				case errors.Is(err, storage.ErrPreconditionFailed):
					lost.Add(1)
				default:
					t.Errorf("writer %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if int(won.Load()+lost.Load()) != n {
			t.Fatalf("won %d + lost %d != %d", won.Load(), lost.Load(), n)
		}
		return int(won.Load())
	}
	if w := race(storage.PutOptions{IfNoneMatch: true}); w != 1 {
		t.Fatalf("%d concurrent If-None-Match creators won, want exactly 1", w)
	}
	info, err := s.Stat(context.Background(), "race/lock")
	if err != nil {
		t.Fatal(err)
	}
	if w := race(storage.PutOptions{IfMatch: info.ETag}); w != 1 {
		t.Fatalf("%d concurrent If-Match replacers won, want exactly 1", w)
	}
}

// Data returns n deterministic pseudo-random bytes.
func Data(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5eca1a4e))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// onlyReader hides any Seek/WriterTo methods so backends must stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// MustPut puts data at key through a plain io.Reader.
func MustPut(t testing.TB, s storage.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, onlyReader{bytes.NewReader(data)}, storage.PutOptions{}); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
}

// MustGet reads key fully.
func MustGet(t testing.TB, s storage.Store, key string) ([]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", key, err)
	}
	return b, info
}

// Keys lists all keys under prefix.
func Keys(t testing.TB, s storage.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), prefix, func(o storage.ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (sha256 %x), want %d bytes (sha256 %x)",
			what, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

func testRoundTrip(t *testing.T, s storage.Store) {
	cases := []struct {
		name, key string
		data      []byte
	}{
		{"small", "events/cloudtrail/region=us-east-1/part-1.parquet", []byte("hello, lake")},
		{"empty", "empty/object", nil},
		{"large", "large/blob.bin", Data(1, LargeSize)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			MustPut(t, s, c.key, c.data)
			got, info := MustGet(t, s, c.key)
			sameBytes(t, "Get", got, c.data)
			if info.Key != c.key || info.Size != int64(len(c.data)) {
				t.Errorf("Get info = %+v, want key %q size %d", info, c.key, len(c.data))
			}
		})
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	const key = "runs/convert/2026-11-23T18/manifest.json"
	MustPut(t, s, key, []byte(`{"version":1}`))
	before, err := s.Stat(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	v2 := []byte(`{"version":2,"more":"bytes"}`)
	MustPut(t, s, key, v2)
	got, _ := MustGet(t, s, key)
	sameBytes(t, "after overwrite", got, v2)
	after, err := s.Stat(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size != int64(len(v2)) {
		t.Errorf("Stat size after overwrite = %d, want %d", after.Size, len(v2))
	}
	if after.ETag == before.ETag {
		t.Errorf("ETag unchanged after overwrite with different content: %q", after.ETag)
	}
	if keys := Keys(t, s, ""); !slices.Equal(keys, []string{key}) {
		t.Errorf("List after overwrite = %q, want just %q", keys, key)
	}
}

func testList(t *testing.T, s storage.Store) {
	// Chosen so that directory order and byte order differ:
	// '-' (0x2d) < '.' (0x2e) < '/' (0x2f).
	want := []string{
		"a-b.txt",
		"a.txt",
		"a/b.txt",
		"a/c/d.txt",
		"ab.txt",
		"b.txt",
		"z/y/x.txt",
	}
	put := slices.Clone(want)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(put), func(i, j int) { put[i], put[j] = put[j], put[i] })
	for i, k := range put {
		MustPut(t, s, k, bytes.Repeat([]byte{'x'}, i+1))
	}
	sizes := map[string]int64{}
	for i, k := range put {
		sizes[k] = int64(i + 1)
	}

	var infos []storage.ObjectInfo
	if err := s.List(context.Background(), "", func(o storage.ObjectInfo) error {
		infos = append(infos, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range infos {
		got = append(got, o.Key)
		if o.Size != sizes[o.Key] || o.ETag == "" || o.LastModified.IsZero() {
			t.Errorf("List info %+v: want size %d, non-empty ETag and LastModified", o, sizes[o.Key])
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("List(\"\") = %q\nwant %q", got, want)
	}

	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{"a", want[:5]},
		{"a/", []string{"a/b.txt", "a/c/d.txt"}},
		{"a/c", []string{"a/c/d.txt"}},
		{"a/c/d.txt", []string{"a/c/d.txt"}},
		{"a.", []string{"a.txt"}},
		{"z/", []string{"z/y/x.txt"}},
		{"nope", nil},
		{"a/x", nil},
	} {
		if got := Keys(t, s, c.prefix); !slices.Equal(got, c.want) {
			t.Errorf("List(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}

	// A callback error stops the listing and comes back to the caller.
	errStop := errors.New("stop here")
	var seen []string
	err := s.List(context.Background(), "", func(o storage.ObjectInfo) error {
		seen = append(seen, o.Key)
		if len(seen) == 2 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("List with stopping callback: err = %v, want %v", err, errStop)
	}
	if !slices.Equal(seen, want[:2]) {
		t.Errorf("List with stopping callback saw %q, want %q", seen, want[:2])
	}
}

func testStat(t *testing.T, s storage.Store) {
	const key = "findings/eventDay=20261123/part-abc.jsonl"
	data := []byte("{\"finding\":1}\n")
	start := time.Now()
	MustPut(t, s, key, data)
	info, err := s.Stat(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != key || info.Size != int64(len(data)) || info.ETag == "" {
		t.Errorf("Stat = %+v, want key %q size %d and an ETag", info, key, len(data))
	}
	// Allow for coarse server timestamps (S3 has 1 s resolution) and skew.
	if d := info.LastModified.Sub(start); d < -5*time.Second || d > 5*time.Minute {
		t.Errorf("Stat LastModified = %v, put started at %v", info.LastModified, start)
	}
	_, ginfo := MustGet(t, s, key)
	if ginfo.ETag != info.ETag || ginfo.Size != info.Size {
		t.Errorf("Get info %+v disagrees with Stat %+v", ginfo, info)
	}
}

func testNotFound(t *testing.T, s storage.Store) {
	ctx := context.Background()
	MustPut(t, s, "dir/present.txt", []byte("x"))
	for _, key := range []string{"missing.txt", "dir/missing.txt", "dir", "dir/present.txt/below"} {
		if _, err := s.Stat(ctx, key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Stat(%q) err = %v, want ErrNotFound", key, err)
		} else if !strings.Contains(err.Error(), key) {
			t.Errorf("Stat(%q) err = %q does not name the key", key, err)
		}
		rc, _, err := s.Get(ctx, key)
		if !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Get(%q) err = %v, want ErrNotFound", key, err)
		} else if !strings.Contains(err.Error(), key) {
			t.Errorf("Get(%q) err = %q does not name the key", key, err)
		}
		if rc != nil {
			rc.Close()
			t.Errorf("Get(%q) returned a reader with an error", key)
		}
	}
}

func testDelete(t *testing.T, s storage.Store) {
	ctx := context.Background()
	MustPut(t, s, "d/one", []byte("1"))
	MustPut(t, s, "d/two", []byte("2"))
	if err := s.Delete(ctx, "d/one"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "d/one"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "d/one"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if err := s.Delete(ctx, "never/existed"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if keys := Keys(t, s, ""); !slices.Equal(keys, []string{"d/two"}) {
		t.Errorf("List after Delete = %q, want [d/two]", keys)
	}
}

// InvalidKeys are rejected by every backend with ErrInvalidKey.
var InvalidKeys = []string{"", "/abs", "../up", "a/../b", "a/..", "./a", "a/./b", `a\b`, "a//b", "a/", "x\x00y"}

func testInvalidKeys(t *testing.T, s storage.Store) {
	ctx := context.Background()
	for _, key := range InvalidKeys {
		if err := s.Put(ctx, key, strings.NewReader("x"), storage.PutOptions{}); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Put(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := s.Get(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Get(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Stat(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Delete(%q) err = %v, want ErrInvalidKey", key, err)
		}
	}
	if keys := Keys(t, s, ""); len(keys) != 0 {
		t.Errorf("invalid keys left objects: %q", keys)
	}
}

// errBoom is the failure injected by failingReader.
var errBoom = errors.New("storagetest: reader failed on purpose")

// failingReader yields n bytes of data, then fails.
type failingReader struct {
	data []byte
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errBoom
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func testFailingReader(t *testing.T, s storage.Store) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		n    int // bytes delivered before the failure
	}{
		{"small", 1000},
		{"large", 12 << 20}, // past the first multipart parts on S3
	} {
		t.Run(c.name, func(t *testing.T) {
			victim, fresh := c.name+"/victim", c.name+"/fresh"
			old := []byte("the previous, complete version")
			MustPut(t, s, victim, old)

			err := s.Put(ctx, victim, &failingReader{data: Data(2, c.n)}, storage.PutOptions{})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Put with failing reader: err = %v, want it to wrap %v", err, errBoom)
			}
			got, _ := MustGet(t, s, victim)
			sameBytes(t, "previous object after failed overwrite", got, old)

			err = s.Put(ctx, fresh, &failingReader{data: Data(3, c.n)}, storage.PutOptions{})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Put with failing reader: err = %v, want it to wrap %v", err, errBoom)
			}
			if _, err := s.Stat(ctx, fresh); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Stat after failed Put: err = %v, want ErrNotFound", err)
			}
			if keys := Keys(t, s, c.name+"/"); !slices.Equal(keys, []string{victim}) {
				t.Errorf("List after failed Puts = %q, want only %q", keys, victim)
			}
		})
	}
}

// cancelReader cancels its context once it has delivered after bytes, then
// keeps delivering data as if nothing happened.
type cancelReader struct {
	cancel context.CancelFunc
	data   []byte
	after  int
	sent   int
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	if c.sent >= c.after {
		c.cancel()
	}
	n := copy(p[:min(len(p), 64<<10)], c.data)
	c.data = c.data[n:]
	c.sent += n
	return n, nil
}

func testContextCancel(t *testing.T, s storage.Store) {
	MustPut(t, s, "c/existing", []byte("x"))

	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Put(done, "c/new", strings.NewReader("data"), storage.PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with cancelled context: err = %v, want context.Canceled", err)
	}
	if _, _, err := s.Get(done, "c/existing"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := s.Stat(done, "c/existing"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat with cancelled context: err = %v, want context.Canceled", err)
	}
	called := false
	if err := s.List(done, "", func(storage.ObjectInfo) error { called = true; return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with cancelled context: err = %v, want context.Canceled", err)
	}
	if called {
		t.Errorf("List with cancelled context called fn")
	}

	// Cancelled while the body is being read: early in a small object, and
	// after the first parts of a large one (S3: mid multipart upload).
	for _, c := range []struct {
		key         string
		size, after int
	}{
		{"c/midway-small", 256 << 10, 64 << 10},
		{"c/midway-large", 14 << 20, 7 << 20},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		err := s.Put(ctx, c.key, &cancelReader{cancel: cancel, data: Data(4, c.size), after: c.after}, storage.PutOptions{})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put %s cancelled midway: err = %v, want context.Canceled", c.key, err)
		}
	}
	if keys := Keys(t, s, "c/"); !slices.Equal(keys, []string{"c/existing"}) {
		t.Errorf("List after cancelled Puts = %q, want [c/existing]", keys)
	}
}
