package lake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/seclake/seclake/internal/storage"
)

// Mirror copies the Parquet objects under prefixes from store into dir, so
// DuckDB can read an S3 lake without network access of its own. Objects
// already mirrored with the same ETag are not fetched again; local files whose
// object is gone are removed. It returns the number of objects fetched.
func Mirror(ctx context.Context, store storage.Store, dir string, prefixes []string) (int, error) {
	indexPath := filepath.Join(dir, ".mirror-index.json")
	index := map[string]string{}
	if data, err := os.ReadFile(indexPath); err == nil {
		_ = json.Unmarshal(data, &index) // a corrupt index only costs refetches
	}
	seen := map[string]bool{}
	fetched := 0
	for _, prefix := range prefixes {
		err := store.List(ctx, prefix, func(o storage.ObjectInfo) error {
			if !strings.HasSuffix(o.Key, ".parquet") {
				return nil
			}
			seen[o.Key] = true
			dst := filepath.Join(dir, filepath.FromSlash(o.Key))
			if index[o.Key] == o.ETag {
				if _, err := os.Stat(dst); err == nil {
					return nil
				}
			}
			if err := fetch(ctx, store, o.Key, dst); err != nil {
				return err
			}
			index[o.Key] = o.ETag
			fetched++
			return nil
		})
		if err != nil {
			return fetched, fmt.Errorf("lake: mirror %s: %w", prefix, err)
		}
	}
	for key := range index {
		if !seen[key] {
			os.Remove(filepath.Join(dir, filepath.FromSlash(key)))
			delete(index, key)
		}
	}
	data, _ := json.Marshal(index)
	if err := os.WriteFile(indexPath, data, 0o600); err != nil {
		return fetched, fmt.Errorf("lake: mirror index: %w", err)
	}
	return fetched, nil
}

func fetch(ctx context.Context, store storage.Store, key, dst string) error {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".mirror-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return fmt.Errorf("lake: mirror %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
