package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

// Store is a flat key space of immutable objects under a root.
// Keys use "/" separators and never start with "/".
type Store interface {
	// Get opens an object for streaming reads.
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	// Stat returns an object's metadata.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Put writes an object from r. The object becomes visible to readers only
	// once complete; on error nothing (and no partial object) is left behind.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error
	// List calls fn for every object whose key starts with prefix, in
	// lexicographic key order. fn returning an error stops the listing.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
	// Delete removes an object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// URI names the store root (a directory path or s3://bucket/prefix).
	URI() string
}

// ObjectInfo is an object's metadata.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	// Metadata is the object's user metadata (S3 x-amz-meta-*, keys in lower
	// case); filled by the S3 backend's Get and Stat, nil on Local.
	Metadata map[string]string
}

// PutOptions tunes one Put.
type PutOptions struct {
	ContentType string
	// Deferred lets a backend postpone making this object durable until
	// Flush; the object is still complete and atomic when Put returns. Jobs
	// put data parts this way and Flush once before their commit marker.
	Deferred bool
	// IfNoneMatch makes the Put conditional on key not existing (S3
	// If-None-Match: *). IfMatch makes it conditional on the current object
	// having this ETag (S3 If-Match). A failed condition returns an error
	// wrapping ErrPreconditionFailed and leaves the object untouched. Both
	// are atomic with respect to other conditional Puts on the same store,
	// including from other processes: the basis of leases (internal/schedule).
	IfNoneMatch bool
	IfMatch     string
	// Metadata is stored as S3 user metadata (x-amz-meta-*); Local ignores it.
	Metadata map[string]string
	// Retention, when set, puts the object under S3 Object Lock until
	// Retention.Until. The bucket must have Object Lock enabled (see
	// ObjectLocker); Local ignores it.
	Retention *Retention
}

// Object Lock retention modes.
const (
	RetentionCompliance = "COMPLIANCE" // nobody, not even root, can shorten it or delete the version
	RetentionGovernance = "GOVERNANCE" // principals with s3:BypassGovernanceRetention can
)

// Retention is an Object Lock retention for one object version.
type Retention struct {
	Mode  string
	Until time.Time
}

// ObjectLocker is implemented by stores that can tell whether their bucket
// has Object Lock enabled (S3).
type ObjectLocker interface {
	ObjectLockEnabled(ctx context.Context) (bool, error)
}

// Syncer is implemented by stores that can postpone durability (Local).
type Syncer interface {
	// Sync makes every object put so far durable.
	Sync(ctx context.Context) error
}

// Flush makes deferred puts durable; a no-op for stores that write durably
// on every Put (S3).
func Flush(ctx context.Context, s Store) error {
	if y, ok := s.(Syncer); ok {
		return y.Sync(ctx)
	}
	return nil
}

var (
	// ErrNotFound is returned for a key that does not exist.
	ErrNotFound = errors.New("storage: object not found")
	// ErrNoKMSKey is returned when an S3 store is asked to write without a KMS key.
	ErrNoKMSKey = errors.New("storage: S3 writes need a KMS key (--kms-key / SECLAKE_KMS_KEY)")
	// ErrKMSKey is returned when S3 refuses a write because the configured
	// KMS key does not exist, is disabled, or the caller may not use it.
	ErrKMSKey = errors.New("storage: the KMS key (s3.kms_key, --kms-key, SECLAKE_KMS_KEY) cannot encrypt this write")
	// ErrPreconditionFailed is returned when a conditional Put's condition
	// (IfNoneMatch, IfMatch) does not hold.
	ErrPreconditionFailed = errors.New("storage: precondition failed")
	// ErrInvalidKey is returned for keys that are empty, absolute or contain "..".
	ErrInvalidKey = errors.New("storage: invalid key")
)
