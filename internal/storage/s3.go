package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3 defaults.
const (
	DefaultPartSize    = 8 << 20 // bytes per multipart part (S3 minimum is 5 MiB)
	MinPartSize        = 5 << 20
	DefaultConcurrency = 4 // parts in flight per Put
	DefaultMaxAttempts = 5 // SDK standard retryer, including the first attempt
	// DefaultResponseTimeout bounds the wait for a response's headers once a
	// request is sent. S3 answers even CompleteMultipartUpload with headers
	// at once, so only a server that accepts connections and never answers
	// hits it; the attempt then fails and is retried instead of hanging.
	DefaultResponseTimeout = 2 * time.Minute
	abortTimeout           = 30 * time.Second
)

// S3Options configures an S3 store.
type S3Options struct {
	Bucket string
	// Prefix is prepended to every key ("" or "lake" or "lake/"; stored
	// without surrounding slashes).
	Prefix string
	// Region defaults to the AWS chain's region; with a custom Endpoint and
	// no region anywhere, "us-east-1".
	Region string
	// Endpoint is a custom S3 endpoint URL (MinIO, VPC endpoint).
	Endpoint string
	// PathStyle addresses buckets as endpoint/bucket (needed for MinIO).
	PathStyle bool
	// KMSKeyID is the KMS key ARN, alias or id used for SSE-KMS on every
	// write. Empty: the store can read but every Put fails with ErrNoKMSKey.
	KMSKeyID string
	// Credentials overrides the default AWS credential chain when set.
	Credentials aws.CredentialsProvider
	// PartSize is the multipart part size in bytes (default DefaultPartSize,
	// at least MinPartSize). Objects of at least PartSize bytes are uploaded
	// in parts; memory per Put is about PartSize*(Concurrency+1).
	PartSize int64
	// Concurrency is the number of parts uploaded in parallel per Put.
	Concurrency int
	// MaxAttempts bounds the SDK standard retryer (default DefaultMaxAttempts).
	MaxAttempts int
	// ResponseTimeout bounds the wait for response headers per attempt
	// (default DefaultResponseTimeout). Ignored with HTTPClient.
	ResponseTimeout time.Duration
	// HTTPClient replaces the SDK's HTTP client (tests, proxies). It is set
	// on the S3 client as is: settings that configure the default client,
	// such as AWS_CA_BUNDLE, do not apply to it.
	HTTPClient *http.Client
}

// S3 is a Store on an S3 bucket prefix. Every write carries SSE-KMS with the
// configured key; see put.
type S3 struct {
	client   *s3.Client
	uploader *transfermanager.Client
	bucket   string
	prefix   string // "" or ends with "/"
	kmsKeyID string
}

var _ Store = (*S3)(nil)

// NewS3 builds an S3 store. It makes no request.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Bucket == "" {
		return nil, errors.New("storage: S3 bucket is empty")
	}
	prefix := strings.Trim(o.Prefix, "/")
	if prefix != "" {
		if err := ValidateKey(prefix); err != nil {
			return nil, fmt.Errorf("storage: S3 prefix: %w", err)
		}
		prefix += "/"
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize {
		return nil, fmt.Errorf("storage: S3 part size %d is below the S3 minimum %d", o.PartSize, MinPartSize)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = DefaultResponseTimeout
	}

	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = o.MaxAttempts })
		}),
		// The SDK's default client waits for response headers for ever.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.ResponseHeaderTimeout = o.ResponseTimeout
		})),
	}
	if o.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("storage: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		if o.Endpoint == "" {
			return nil, errors.New("storage: no AWS region (set --region or AWS_REGION)")
		}
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		if o.HTTPClient != nil {
			so.HTTPClient = o.HTTPClient
		}
		// Objects uploaded in parts carry composite checksums that the SDK
		// cannot validate on GetObject; it would log a warning per Get.
		so.DisableLogOutputChecksumValidationSkipped = true
	})
	uploader := transfermanager.New(client, func(to *transfermanager.Options) {
		to.PartSizeBytes = o.PartSize
		to.MultipartUploadThreshold = o.PartSize
		to.Concurrency = o.Concurrency
		// Abort a failed multipart upload with a fresh context, so the abort
		// still runs when the caller's context was cancelled.
		to.FailTimeout = abortTimeout
	})
	return &S3{
		client:   client,
		uploader: uploader,
		bucket:   o.Bucket,
		prefix:   prefix,
		kmsKeyID: o.KMSKeyID,
	}, nil
}

// URI returns s3://bucket/prefix.
func (s *S3) URI() string {
	return "s3://" + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

func (s *S3) loc(key string) string { return "s3://" + s.bucket + "/" + s.prefix + key }

// isS3NotFound reports whether err means the object does not exist. It looks
// at the typed API error code, never at the message.
func isS3NotFound(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "NoSuchBucket":
			return false
		}
	}
	var respErr *smithyhttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusNotFound && apiErr == nil
}

// isS3Precondition reports whether a conditional write lost: 412
// PreconditionFailed, or 409 ConditionalRequestConflict (a concurrent
// conditional write to the same key won).
func isS3Precondition(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict":
			return true
		}
	}
	var respErr *smithyhttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusPreconditionFailed
}

// IsKMSKeyError reports whether an S3 error (from any call that names the
// KMS key, e.g. PutBucketEncryption) says the key cannot be used.
func IsKMSKeyError(err error) bool { return isS3KMS(err) }

// isS3KMS reports whether a write failed on its SSE-KMS key: AWS answers
// KMS.NotFoundException, KMS.DisabledException… or an AccessDenied naming a
// kms: action; MinIO answers kms:KeyNotFound.
func isS3KMS(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	code := apiErr.ErrorCode()
	switch {
	case strings.HasPrefix(code, "KMS") || strings.HasPrefix(code, "kms:"):
		return true
	case code == "AccessDenied":
		return strings.Contains(apiErr.ErrorMessage(), "kms:")
	}
	return false
}

func trimETag(e *string) string { return strings.Trim(aws.ToString(e), `"`) }

// Get streams key; the caller must Close the reader.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, ObjectInfo{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		if isS3NotFound(err) {
			return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", s.loc(key), ErrNotFound)
		}
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", s.loc(key), err)
	}
	return out.Body, ObjectInfo{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         trimETag(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		Metadata:     out.Metadata,
	}, nil
}

// Stat returns key's metadata (HeadObject).
func (s *S3) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		if isS3NotFound(err) {
			return ObjectInfo{}, fmt.Errorf("storage: stat %s: %w", s.loc(key), ErrNotFound)
		}
		return ObjectInfo{}, fmt.Errorf("storage: stat %s: %w", s.loc(key), err)
	}
	return ObjectInfo{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         trimETag(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		Metadata:     out.Metadata,
	}, nil
}

// ObjectLockEnabled reports whether the bucket has Object Lock enabled
// (GetObjectLockConfiguration; a bucket without it answers
// ObjectLockConfigurationNotFoundError).
func (s *S3) ObjectLockEnabled(ctx context.Context) (bool, error) {
	out, err := s.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &s.bucket})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ObjectLockConfigurationNotFoundError" {
			return false, nil
		}
		return false, fmt.Errorf("storage: object lock configuration of s3://%s: %w", s.bucket, err)
	}
	return out.ObjectLockConfiguration != nil && out.ObjectLockConfiguration.ObjectLockEnabled == "Enabled", nil
}

var _ ObjectLocker = (*S3)(nil)

// Put uploads r to key with SSE-KMS; see put.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	return s.put(ctx, key, r, opts)
}

// put is the only function in this package that writes objects to S3. It
// refuses to run without a KMS key, and sets ServerSideEncryption=aws:kms,
// SSEKMSKeyId and BucketKeyEnabled on every upload. The transfer manager
// streams r: objects under the part size go as one PutObject, larger ones as
// a multipart upload that is aborted on any error, so a failed Put never
// leaves a visible (partial or new) object.
func (s *S3) put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if s.kmsKeyID == "" {
		return fmt.Errorf("storage: put %s: %w", s.loc(key), ErrNoKMSKey)
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: put %s: %w", s.loc(key), err)
	}
	in := &transfermanager.UploadObjectInput{
		Bucket:               &s.bucket,
		Key:                  aws.String(s.prefix + key),
		Body:                 r,
		ServerSideEncryption: tmtypes.ServerSideEncryptionAwsKms,
		SSEKMSKeyID:          aws.String(s.kmsKeyID),
		BucketKeyEnabled:     aws.Bool(true),
	}
	if opts.ContentType != "" {
		in.ContentType = aws.String(opts.ContentType)
	}
	if opts.IfNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	if opts.IfMatch != "" {
		in.IfMatch = aws.String(`"` + opts.IfMatch + `"`)
	}
	if len(opts.Metadata) > 0 {
		in.Metadata = opts.Metadata
	}
	if r := opts.Retention; r != nil {
		in.ObjectLockMode = tmtypes.ObjectLockMode(r.Mode)
		in.ObjectLockRetainUntilDate = aws.Time(r.Until.UTC())
	}
	if _, err := s.uploader.UploadObject(ctx, in); err != nil {
		// If-Match on a missing key answers 404 NoSuchKey (S3 and MinIO).
		if isS3KMS(err) {
			return fmt.Errorf("storage: put %s with KMS key %q: %w: %w", s.loc(key), s.kmsKeyID, ErrKMSKey, err)
		}
		if isS3Precondition(err) || opts.IfMatch != "" && isS3NotFound(err) {
			return fmt.Errorf("storage: put %s: %w: %w", s.loc(key), ErrPreconditionFailed, err)
		}
		return fmt.Errorf("storage: put %s: %w", s.loc(key), err)
	}
	return nil
}

// List pages through ListObjectsV2, which returns keys in UTF-8 binary
// (lexicographic) order.
func (s *S3) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: &s.bucket,
		Prefix: aws.String(s.prefix + prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("storage: list %s: %w", s.loc(prefix), err)
		}
		for _, obj := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(obj.Key), s.prefix)
			if err := fn(ObjectInfo{
				Key:          key,
				Size:         aws.ToInt64(obj.Size),
				ETag:         trimETag(obj.ETag),
				LastModified: aws.ToTime(obj.LastModified),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete removes key; S3 reports success for missing keys.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil && !isS3NotFound(err) {
		return fmt.Errorf("storage: delete %s: %w", s.loc(key), err)
	}
	return nil
}

// Client is the underlying S3 client, for bucket-level administration
// (seclake lake init). Object writes must go through Put.
func (s *S3) Client() *s3.Client { return s.client }

// Bucket is the store's bucket.
func (s *S3) Bucket() string { return s.bucket }

// Prefix is the store's key prefix ("" or ending in "/").
func (s *S3) Prefix() string { return s.prefix }

// KMSKeyID is the key every Put encrypts with.
func (s *S3) KMSKeyID() string { return s.kmsKeyID }
