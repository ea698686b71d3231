// Package lifecycle holds the retention of every dataset — one definition
// used by `seclake lake init` (S3 lifecycle rules), `seclake lake retention`
// (local lakes: deletes expired objects; S3: checks the bucket's rules), and
// checked against the CloudFormation template's parameter defaults by infra/.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/seclake/seclake/internal/storage"
)

// Buckets of a deployment.
const (
	Raw     = "raw"     // CloudTrail / flow / access log delivery bucket
	Lake    = "lake"    // Parquet lake
	Reports = "reports" // compliance reports (object lock)
)

// Rule is the retention of one dataset. Zero days means "no such step".
type Rule struct {
	ID     string // also the CloudFormation parameter stem (e.g. RawExpireDays)
	Bucket string
	Prefix string // under the bucket's lake/raw prefix
	// Transition to STANDARD_IA and to GLACIER (Flexible Retrieval).
	IADays, GlacierDays int
	ExpireDays          int
}

// ReportsRetentionDays is the object-lock default retention of reports (7 years).
const ReportsRetentionDays = 2557

// Rules are the defaults, in a fixed order.
func Rules() []Rule {
	return []Rule{
		{ID: "raw", Bucket: Raw, Prefix: "AWSLogs/", IADays: 30, GlacierDays: 90, ExpireDays: 400},
		{ID: "events", Bucket: Lake, Prefix: "events/", IADays: 90, ExpireDays: 400},
		{ID: "findings", Bucket: Lake, Prefix: "findings/", IADays: 90, ExpireDays: 730},
		{ID: "quarantine", Bucket: Lake, Prefix: "quarantine/", ExpireDays: 30},
		{ID: "runs", Bucket: Lake, Prefix: "runs/", ExpireDays: 400},
		{ID: "plans", Bucket: Lake, Prefix: "plans/", ExpireDays: 7},
		{ID: "failures", Bucket: Lake, Prefix: "failures/", ExpireDays: 400},
		{ID: "athena", Bucket: Lake, Prefix: "athena-results/", ExpireDays: 30},
		{ID: "reports", Bucket: Reports, Prefix: "", ExpireDays: ReportsRetentionDays},
	}
}

// For returns the rules of one bucket.
func For(bucket string) []Rule {
	var out []Rule
	for _, r := range Rules() {
		if r.Bucket == bucket {
			out = append(out, r)
		}
	}
	return out
}

// S3Rules renders rules as S3 lifecycle rules under keyPrefix (the store's
// prefix), with IDs "seclake-<id>". Incomplete multipart uploads are
// aborted after a day everywhere.
func S3Rules(rules []Rule, keyPrefix string) []types.LifecycleRule {
	var out []types.LifecycleRule
	for _, r := range rules {
		lr := types.LifecycleRule{
			ID:                             aws.String("seclake-" + r.ID),
			Status:                         types.ExpirationStatusEnabled,
			Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String(keyPrefix + r.Prefix)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
		}
		if r.IADays > 0 {
			lr.Transitions = append(lr.Transitions, types.Transition{Days: aws.Int32(int32(r.IADays)), StorageClass: types.TransitionStorageClassStandardIa})
		}
		if r.GlacierDays > 0 {
			lr.Transitions = append(lr.Transitions, types.Transition{Days: aws.Int32(int32(r.GlacierDays)), StorageClass: types.TransitionStorageClassGlacier})
		}
		if r.ExpireDays > 0 {
			lr.Expiration = &types.LifecycleExpiration{Days: aws.Int32(int32(r.ExpireDays))}
		}
		out = append(out, lr)
	}
	return out
}

// InitOptions configure Init.
type InitOptions struct {
	Rules []Rule
	// ObjectLockDays > 0 turns on versioning and object lock with a default
	// GOVERNANCE retention of this many days (the reports bucket).
	ObjectLockDays int
	// Logf reports each change and each setting the server does not support.
	Logf func(format string, args ...any)
}

// Init applies default SSE-KMS encryption with bucket keys, the public
// access block, the lifecycle rules and (optionally) object lock to the
// bucket of an existing S3 store. Every call replaces the previous settings
// (idempotent). Lifecycle rules not named seclake-* are kept.
func Init(ctx context.Context, st *storage.S3, o InitOptions) error {
	c, bucket := st.Client(), st.Bucket()
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if st.KMSKeyID() == "" {
		return storage.ErrNoKMSKey
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(st.KMSKeyID())},
			BucketKeyEnabled:                   aws.Bool(true),
		}}}})
	if err != nil && storage.IsKMSKeyError(err) {
		return fmt.Errorf("lake init: s3://%s default encryption with KMS key %q: %w: %w", bucket, st.KMSKeyID(), storage.ErrKMSKey, err)
	}
	if err != nil {
		return fmt.Errorf("lake init: s3://%s default encryption: %w", bucket, err)
	}
	logf("s3://%s: default encryption SSE-KMS %s with bucket keys", bucket, st.KMSKeyID())
	_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &bucket, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	switch {
	case notImplemented(err) || isCode(err, "MalformedXML"): // MinIO has no public access block API
		logf("s3://%s: public access block not supported by this server (skipped)", bucket)
	case err != nil:
		return fmt.Errorf("lake init: s3://%s public access block: %w", bucket, err)
	default:
		logf("s3://%s: public access blocked", bucket)
	}
	if len(o.Rules) > 0 {
		rules := S3Rules(o.Rules, st.Prefix())
		cur, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
		if err == nil {
			for _, r := range cur.Rules {
				if !strings.HasPrefix(aws.ToString(r.ID), "seclake-") {
					rules = append(rules, r)
				}
			}
		} else if !isCode(err, "NoSuchLifecycleConfiguration") {
			return fmt.Errorf("lake init: s3://%s read lifecycle: %w", bucket, err)
		}
		put := func(rules []types.LifecycleRule) error {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
			return err
		}
		err = put(rules)
		if isCode(err, "InvalidStorageClass") {
			// S3-compatible servers (MinIO) without storage tiers: keep the
			// expirations, drop the transitions, say so.
			logf("s3://%s: the server has no STANDARD_IA/GLACIER storage classes: transitions skipped, expirations applied", bucket)
			for i := range rules {
				if strings.HasPrefix(aws.ToString(rules[i].ID), "seclake-") {
					rules[i].Transitions = nil
				}
			}
			err = put(rules)
		}
		if err != nil {
			return fmt.Errorf("lake init: s3://%s lifecycle: %w", bucket, err)
		}
		logf("s3://%s: %d lifecycle rules", bucket, len(o.Rules))
	}
	if o.ObjectLockDays > 0 {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			return fmt.Errorf("lake init: s3://%s versioning (needed by object lock): %w", bucket, err)
		}
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: &bucket,
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(int32(o.ObjectLockDays))}}}}); err != nil {
			if isCode(err, "InvalidBucketState") {
				return fmt.Errorf("lake init: s3://%s: this server cannot turn on object lock for an existing bucket; create the bucket with object lock (aws s3api create-bucket --object-lock-enabled-for-bucket) and rerun: %w", bucket, err)
			}
			return fmt.Errorf("lake init: s3://%s object lock: %w", bucket, err)
		}
		logf("s3://%s: object lock, default GOVERNANCE retention %d days", bucket, o.ObjectLockDays)
	}
	return nil
}

// Check compares the bucket's seclake-* lifecycle rules with rules and
// returns an error naming every difference (the daily retention check).
func Check(ctx context.Context, st *storage.S3, rules []Rule) error {
	bucket := st.Bucket()
	cur, err := st.Client().GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
	if err != nil {
		if isCode(err, "NoSuchLifecycleConfiguration") {
			return fmt.Errorf("s3://%s has no lifecycle rules (run seclake lake init)", bucket)
		}
		return err
	}
	have := map[string]string{}
	for _, r := range cur.Rules {
		have[aws.ToString(r.ID)] = describe(r)
	}
	var errs []error
	for _, r := range S3Rules(rules, st.Prefix()) {
		id := aws.ToString(r.ID)
		if got, ok := have[id]; !ok {
			errs = append(errs, fmt.Errorf("s3://%s: lifecycle rule %s missing", bucket, id))
		} else if want := describe(r); got != want {
			errs = append(errs, fmt.Errorf("s3://%s: lifecycle rule %s is %s, want %s", bucket, id, got, want))
		}
	}
	return errors.Join(errs...)
}

func describe(r types.LifecycleRule) string {
	var parts []string
	if r.Filter != nil {
		parts = append(parts, "prefix="+aws.ToString(r.Filter.Prefix))
	}
	var tr []string
	for _, t := range r.Transitions {
		tr = append(tr, fmt.Sprintf("%s@%d", t.StorageClass, aws.ToInt32(t.Days)))
	}
	sort.Strings(tr)
	parts = append(parts, tr...)
	if r.Expiration != nil {
		parts = append(parts, fmt.Sprintf("expire@%d", aws.ToInt32(r.Expiration.Days)))
	}
	parts = append(parts, string(r.Status))
	return strings.Join(parts, " ")
}

// WithoutTransitions returns rules with expirations only (S3-compatible
// servers without storage classes).
func WithoutTransitions(rules []Rule) []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		r.IADays, r.GlacierDays = 0, 0
		out[i] = r
	}
	return out
}

// Expire deletes the objects of a (local) store that rules say are past
// their expiration at `at`, judged by LastModified (as S3 lifecycle does).
// It returns the number deleted (or that would be, with dry).
func Expire(ctx context.Context, st storage.Store, rules []Rule, at time.Time, dry bool) (int, error) {
	n := 0
	for _, r := range rules {
		if r.ExpireDays <= 0 {
			continue
		}
		cutoff := at.AddDate(0, 0, -r.ExpireDays)
		var victims []string
		err := st.List(ctx, r.Prefix, func(o storage.ObjectInfo) error {
			if o.LastModified.Before(cutoff) {
				victims = append(victims, o.Key)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		for _, k := range victims {
			if !dry {
				if err := st.Delete(ctx, k); err != nil {
					return n, err
				}
			}
			n++
		}
	}
	return n, nil
}

func isCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

func notImplemented(err error) bool {
	return err != nil && (isCode(err, "NotImplemented") || isCode(err, "XNotImplemented"))
}
