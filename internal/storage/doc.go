// Package storage is the one place seclake reads and writes objects: a local
// directory (the default lake) or an S3 prefix, behind the Store interface.
// Open picks the backend from a lake URI ("s3://bucket/prefix" or a path).
//
// Guarantees, checked for both backends by the storagetest conformance suite:
//
//   - Atomic writes. An object becomes visible only when complete. A Put that
//     fails (reader error, cancelled context, server error) leaves no new or
//     partial object, and an object it was replacing stays intact. Local
//     writes a temp file in the target directory, fsyncs and renames it; S3
//     sends small objects as one PutObject and larger ones as a multipart
//     upload that is aborted on failure (with a fresh context, so cancelled
//     uploads are cleaned up too).
//   - Encryption. Every S3 write goes through S3.put, which sets
//     ServerSideEncryption=aws:kms, the configured SSEKMSKeyId and
//     BucketKeyEnabled. Without a KMS key, Put fails with ErrNoKMSKey before
//     any request; reads work without a key.
//   - Ordering. List yields keys in byte-wise lexicographic order (the order
//     of ListObjectsV2), filtered by prefix; an error from the callback stops
//     the listing and is returned as is.
//   - Errors. Missing objects give ErrNotFound (from typed S3 error codes,
//     never from message text); bad keys give ErrInvalidKey; everything is
//     wrapped with %w and names the key. Deleting a missing key succeeds.
//   - Bounded memory. Get streams; S3 Put buffers at most about
//     PartSize*(Concurrency+1) bytes whatever the object size.
//
// Keys are "/"-separated, relative, with no empty, "." or ".." segments and
// no backslashes (ValidateKey). ETags are S3's on S3; on Local they are a
// size+mtime fingerprint, which changes on every rewrite but is not a
// content hash. A local file system cannot hold both "a/b" and "a/b/c";
// the lake layout never needs both.
package storage
