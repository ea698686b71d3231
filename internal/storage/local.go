package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Local is a Store on a local directory. Each key maps to the file
// root/<key>. Writes go to a temp file in the target directory, are fsynced
// and renamed into place, so readers see either the old or the new object,
// never a partial one.
//
// ETag on Local is a cheap fingerprint, not a content hash: the size and the
// modification time in nanoseconds, both hex ("<size>-<mtime>"). It changes
// whenever the object is rewritten (assuming a file system with sub-second
// mtimes, or a size change) and costs one stat.
//
// A file system cannot hold both an object "a/b" and an object "a/b/c": the
// second Put fails with an error. The lake layout never needs both.
type Local struct {
	root string
	// NoSync skips fsync of files and directories on Put: writes stay atomic
	// (temp file + rename) but may be lost on power failure. Only for scratch
	// output that can be regenerated (seclake generate), never for a lake.
	NoSync bool
}

var _ Store = (*Local)(nil)

// NewLocal opens (and creates if missing) a Local store rooted at root.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("storage: local root is empty")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("storage: local root %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("storage: create local root %q: %w", abs, err)
	}
	return &Local{root: abs}, nil
}

// URI returns the absolute root directory.
func (l *Local) URI() string { return l.root }

func (l *Local) path(key string) string {
	return filepath.Join(l.root, filepath.FromSlash(key))
}

// isNotFound reports whether err from the file system means "no such object":
// the file is missing or a path element is not a directory.
func isNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func localETag(fi fs.FileInfo) string {
	return fmt.Sprintf("%x-%x", fi.Size(), fi.ModTime().UnixNano())
}

func (l *Local) info(key string, fi fs.FileInfo) ObjectInfo {
	return ObjectInfo{Key: key, Size: fi.Size(), ETag: localETag(fi), LastModified: fi.ModTime()}
}

// Get opens key for reading.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %q: %w", key, err)
	}
	f, err := os.Open(l.path(key))
	if err != nil {
		if isNotFound(err) {
			return nil, ObjectInfo{}, fmt.Errorf("storage: get %q: %w", key, ErrNotFound)
		}
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %q: %w", key, ErrNotFound)
	}
	return f, l.info(key, fi), nil
}

// Stat returns key's metadata.
func (l *Local) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: stat %q: %w", key, err)
	}
	fi, err := os.Stat(l.path(key))
	if err != nil {
		if isNotFound(err) {
			return ObjectInfo{}, fmt.Errorf("storage: stat %q: %w", key, ErrNotFound)
		}
		return ObjectInfo{}, fmt.Errorf("storage: stat %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return ObjectInfo{}, fmt.Errorf("storage: stat %q: %w", key, ErrNotFound)
	}
	return l.info(key, fi), nil
}

// ctxReader fails reads once ctx is done, so a cancelled Put stops copying.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Put writes r to key atomically: temp file in the target directory, fsync,
// rename, then a best-effort fsync of the directory (both postponed to Sync
// when opts.Deferred). On any error the temp
// file is removed and an existing object at key is left untouched.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	var err error
	if opts.IfNoneMatch || opts.IfMatch != "" {
		err = l.condPut(ctx, key, r, opts)
	} else {
		err = l.put(ctx, key, r, opts, time.Time{})
	}
	if err != nil {
		return fmt.Errorf("storage: put %q: %w", key, err)
	}
	return nil
}

// condLockName is the lock file serialising conditional Puts on a Local
// store. It starts with tempPrefix, so List never shows it and no key can
// name it.
const condLockName = tempPrefix + "conditional.lock"

// condPut checks the condition and writes under an exclusive flock(2) on
// the store's lock file, so conditional Puts from any process are atomic
// with respect to each other (as S3's are). The new object's mtime is made
// strictly later than the old one's, so its ETag always changes even when a
// coarse file system clock would give both writes the same timestamp.
func (l *Local) condPut(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	lf, err := os.OpenFile(filepath.Join(l.root, condLockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := lockFile(ctx, lf); err != nil {
		return err
	}
	defer unlockFile(lf)
	var mtime time.Time
	fi, err := os.Stat(l.path(key))
	switch {
	case err == nil && fi.Mode().IsRegular():
		if opts.IfNoneMatch {
			return fmt.Errorf("%w: object exists (If-None-Match)", ErrPreconditionFailed)
		}
		if opts.IfMatch != "" && opts.IfMatch != localETag(fi) {
			return fmt.Errorf("%w: ETag %s, want %s (If-Match)", ErrPreconditionFailed, localETag(fi), opts.IfMatch)
		}
		mtime = fi.ModTime()
	case err == nil || isNotFound(err):
		if opts.IfMatch != "" {
			return fmt.Errorf("%w: object does not exist (If-Match)", ErrPreconditionFailed)
		}
	default:
		return err
	}
	return l.put(ctx, key, r, opts, mtime)
}

// put writes key atomically. A non-zero after is the replaced object's
// mtime: the new object's mtime is set strictly later.
func (l *Local) put(ctx context.Context, key string, r io.Reader, opts PutOptions, after time.Time) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := l.path(key)
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, ctxReader{ctx: ctx, r: r}); err != nil {
		return err
	}
	if !l.NoSync && !opts.Deferred {
		if err := tmp.Sync(); err != nil {
			return err
		}
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if !after.IsZero() {
		fi, err := os.Stat(tmp.Name())
		if err != nil {
			return err
		}
		if !fi.ModTime().After(after) {
			t := after.Add(time.Microsecond)
			if err := os.Chtimes(tmp.Name(), t, t); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	if !l.NoSync && !opts.Deferred {
		syncDir(dir)
	}
	return nil
}

// Sync makes every object put so far durable with one syncfs(2) of the
// file system holding the root, instead of an fsync per deferred object.
func (l *Local) Sync(ctx context.Context) error {
	if l.NoSync {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := os.Open(l.root)
	if err != nil {
		return fmt.Errorf("storage: sync %s: %w", l.root, err)
	}
	defer d.Close()
	if err := syncfs(d); err != nil {
		return fmt.Errorf("storage: sync %s: %w", l.root, err)
	}
	return nil
}

var _ Syncer = (*Local)(nil)

// syncDir makes a rename durable. Best effort: some file systems refuse to
// fsync directories, and the object is already visible and complete.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// List walks the tree in lexicographic key order. Sibling entries are sorted
// by name, with directories compared as "name/", which orders full keys
// exactly as byte-wise string comparison would (so "a.txt" < "a/b"). Temp
// files of in-progress Puts and non-regular files are skipped.
func (l *Local) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	err := l.walk(ctx, "", prefix, fn)
	var s stopErr
	if errors.As(err, &s) {
		return s.err // the caller's own error, unwrapped
	}
	return err
}

// stopErr carries an error returned by the caller's fn out of the walk.
type stopErr struct{ err error }

func (s stopErr) Error() string { return s.err.Error() }

type listEntry struct {
	name, sortKey string
	dir           bool
}

func (l *Local) walk(ctx context.Context, dirKey, prefix string, fn func(ObjectInfo) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: list %q: %w", prefix, err)
	}
	entries, err := os.ReadDir(filepath.Join(l.root, filepath.FromSlash(dirKey)))
	if err != nil {
		if isNotFound(err) {
			return nil // removed concurrently, or the root is gone: nothing to list
		}
		return fmt.Errorf("storage: list %q: %w", prefix, err)
	}
	list := make([]listEntry, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			continue
		}
		switch {
		case e.IsDir():
			list = append(list, listEntry{name: name, sortKey: name + "/", dir: true})
		case e.Type().IsRegular():
			list = append(list, listEntry{name: name, sortKey: name})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].sortKey < list[j].sortKey })
	for _, e := range list {
		key := dirKey + e.sortKey
		if e.dir {
			// Descend only if keys below can match prefix.
			if strings.HasPrefix(key, prefix) || strings.HasPrefix(prefix, key) {
				if err := l.walk(ctx, key, prefix, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !strings.HasPrefix(key, prefix) || keyProblem(key) != "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("storage: list %q: %w", prefix, err)
		}
		fi, err := os.Stat(filepath.Join(l.root, filepath.FromSlash(key)))
		if err != nil {
			if isNotFound(err) {
				continue // deleted since ReadDir
			}
			return fmt.Errorf("storage: list %q: %w", prefix, err)
		}
		if err := fn(l.info(key, fi)); err != nil {
			return stopErr{err}
		}
	}
	return nil
}

// Delete removes key; a missing key is not an error. Directories left empty
// are kept: removing them would race with a concurrent Put into them.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: delete %q: %w", key, err)
	}
	p := l.path(key)
	fi, err := os.Lstat(p)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return fmt.Errorf("storage: delete %q: %w", key, err)
	}
	if fi.IsDir() {
		return nil // not an object
	}
	if err := os.Remove(p); err != nil && !isNotFound(err) {
		return fmt.Errorf("storage: delete %q: %w", key, err)
	}
	return nil
}
