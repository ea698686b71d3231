package storage

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Location is a parsed lake URI.
type Location struct {
	// S3 is true for s3://bucket/prefix URIs.
	S3     bool
	Bucket string // S3 only
	Prefix string // S3 only, without surrounding slashes
	Path   string // local directory (local only)
}

// bucketName matches S3 bucket naming rules closely enough to catch typos:
// 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a
// letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ParseURI parses a lake URI: "s3://bucket[/prefix]" names an S3 prefix;
// "file:///path" or a plain path names a local directory. Other schemes are
// rejected. Errors name the URI as given.
func ParseURI(uri string) (Location, error) {
	if strings.TrimSpace(uri) == "" {
		return Location{}, fmt.Errorf("storage: lake URI %q is empty", uri)
	}
	scheme, rest, hasScheme := strings.Cut(uri, "://")
	if !hasScheme {
		return Location{Path: uri}, nil
	}
	switch strings.ToLower(scheme) {
	case "file":
		u, err := url.Parse(uri)
		if err != nil {
			return Location{}, fmt.Errorf("storage: lake URI %q: %w", uri, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return Location{}, fmt.Errorf("storage: lake URI %q: file URIs cannot name a host (want file:///path)", uri)
		}
		if u.Path == "" {
			return Location{}, fmt.Errorf("storage: lake URI %q: no path", uri)
		}
		return Location{Path: u.Path}, nil
	case "s3":
	default:
		return Location{}, fmt.Errorf("storage: lake URI %q: unsupported scheme %q (want s3://bucket/prefix or a local path)", uri, scheme)
	}
	if strings.ContainsAny(rest, "?#") {
		return Location{}, fmt.Errorf("storage: lake URI %q: query and fragment are not allowed", uri)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("storage: lake URI %q: no bucket (want s3://bucket/prefix)", uri)
	}
	if !bucketName.MatchString(bucket) {
		return Location{}, fmt.Errorf("storage: lake URI %q: invalid bucket name %q", uri, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		if p := keyProblem(prefix); p != "" {
			return Location{}, fmt.Errorf("storage: lake URI %q: invalid prefix %q: %s", uri, prefix, p)
		}
	}
	return Location{S3: true, Bucket: bucket, Prefix: prefix}, nil
}

// Open opens the store named by uri. For s3:// URIs the bucket and prefix
// come from the URI and everything else (region, endpoint, KMS key,
// credentials) from opts; anything else is a local directory, created if
// missing.
func Open(ctx context.Context, uri string, opts S3Options) (Store, error) {
	loc, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if !loc.S3 {
		return NewLocal(loc.Path)
	}
	opts.Bucket, opts.Prefix = loc.Bucket, loc.Prefix
	return NewS3(ctx, opts)
}
