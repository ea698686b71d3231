package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/seclake/seclake/internal/storage"
)

// Committed answers which Parquet parts committed run manifests list.
//
// A run's manifest is its commit point: a part that no manifest lists (the
// run was killed between its data and its manifest) must not be read, and a
// rerun, which rewrites the same keys and then the manifest, makes them
// visible once. Readers therefore build their file lists from manifests
// instead of globbing the table.
//
// Which manifests list parts of an eventDay is not in their keys (a run's
// window is the delivery time of its inputs; its events can fall on any
// earlier day). Committed lists the manifest keys under runs/ (names and
// ETags only) and reads a manifest only when it is new or changed since the
// last reader, keeping in a cache file the partitions (area and eventDay)
// each one wrote into. Reading a day then reads only the manifests that
// wrote into it. A year of hourly runs is one listing of ~9k names per
// reader, and no manifest read once the cache is warm.
type Committed struct {
	store storage.Store
	cache string // file of the per-manifest partition cache; "" = none

	mu      sync.Mutex
	entries map[string]cacheEntry // manifest key → partitions; nil until loaded
	outputs map[string][]string   // manifest key → parquet output keys (this process)
}

type cacheEntry struct {
	ETag  string   `json:"etag"`
	Parts []string `json:"parts"` // "<area>/<eventDay>" it wrote into, e.g. "events/cloudtrail/20261121"
}

// NewCommitted reads the manifests of store. cacheFile keeps what was
// learnt from them between processes ("" keeps nothing).
func NewCommitted(store storage.Store, cacheFile string) *Committed {
	return &Committed{store: store, cache: cacheFile, outputs: map[string][]string{}}
}

// tablePrefix is the part of an output key before its first key=value
// element ("events/cloudtrail/"), and day its eventDay value.
func tableDay(key string) (prefix, day string, ok bool) {
	elems := strings.Split(key, "/")
	i := slices.IndexFunc(elems, func(e string) bool { return strings.Contains(e, "=") })
	if i <= 0 {
		return "", "", false
	}
	for _, e := range elems[i:] {
		if d, found := strings.CutPrefix(e, "eventDay="); found {
			return strings.Join(elems[:i], "/") + "/", d, true
		}
	}
	return "", "", false
}

// load lists the manifests and refreshes the entries of new or changed ones.
func (c *Committed) load(ctx context.Context) error {
	if c.entries != nil {
		return nil
	}
	old := map[string]cacheEntry{}
	if c.cache != "" {
		if data, err := os.ReadFile(c.cache); err == nil {
			_ = json.Unmarshal(data, &old) // a corrupt cache costs re-reads only
		}
	}
	entries := map[string]cacheEntry{}
	changed := false
	err := c.store.List(ctx, "runs/", func(o storage.ObjectInfo) error {
		if path.Base(o.Key) != ManifestName {
			return nil
		}
		if e, ok := old[o.Key]; ok && e.ETag == o.ETag && o.ETag != "" {
			entries[o.Key] = e
			return nil
		}
		outs, err := c.readOutputs(ctx, o.Key)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		e := cacheEntry{ETag: o.ETag, Parts: []string{}}
		for _, k := range outs {
			if p, d, ok := tableDay(k); ok && !seen[p+d] {
				seen[p+d] = true
				e.Parts = append(e.Parts, p+d)
			}
		}
		slices.Sort(e.Parts)
		entries[o.Key] = e
		changed = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("lake: committed parts: %w", err)
	}
	if len(entries) != len(old) {
		changed = true
	}
	c.entries = entries
	if c.cache != "" && changed {
		data, _ := json.Marshal(entries)
		if err := os.MkdirAll(filepath.Dir(c.cache), 0o755); err == nil {
			tmp := c.cache + ".tmp"
			if os.WriteFile(tmp, data, 0o600) == nil {
				_ = os.Rename(tmp, c.cache) // a cache that cannot be written costs re-reads only
			}
		}
	}
	return nil
}

// readOutputs returns the Parquet output keys of the manifest at key. Only
// the keys are decoded and kept: a backfill's manifest can list a hundred
// thousand inputs.
func (c *Committed) readOutputs(ctx context.Context, key string) ([]string, error) {
	if outs, ok := c.outputs[key]; ok {
		return outs, nil
	}
	rc, _, err := c.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil // replaced since it was listed
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", key, err)
	}
	defer rc.Close()
	var m struct {
		Outputs []struct {
			Key string `json:"key"`
		} `json:"outputs"`
	}
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		return nil, fmt.Errorf("decode manifest %s: %w", key, err)
	}
	outs := make([]string, 0, len(m.Outputs))
	for _, o := range m.Outputs {
		if strings.HasSuffix(o.Key, ".parquet") {
			outs = append(outs, o.Key)
		}
	}
	c.outputs[key] = outs
	return outs, nil
}

// Parts returns the sorted keys of the parts of the table under prefix (e.g.
// "events/cloudtrail/") in the eventDay partitions of days (none: all days)
// that committed manifests list, each once.
func (c *Committed) Parts(ctx context.Context, prefix string, days ...string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, d := range days {
		want[d] = true
	}
	set := map[string]bool{}
	for _, mk := range slices.Sorted(mapKeys(c.entries)) {
		hit := false
		for _, p := range c.entries[mk].Parts {
			pre, d := p[:strings.LastIndex(p, "/")+1], p[strings.LastIndex(p, "/")+1:]
			if strings.HasPrefix(pre, prefix) && (len(want) == 0 || want[d]) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		outs, err := c.readOutputs(ctx, mk)
		if err != nil {
			return nil, fmt.Errorf("lake: committed parts: %w", err)
		}
		for _, k := range outs {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			if _, d, ok := tableDay(k); ok && (len(want) == 0 || want[d]) {
				set[k] = true
			}
		}
	}
	return slices.Sorted(mapKeys(set)), nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
