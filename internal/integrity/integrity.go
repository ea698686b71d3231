// Package integrity verifies CloudTrail log file integrity from the digest
// files CloudTrail delivers beside the logs (AWSLogs/<acct>/CloudTrail-Digest/):
// each digest lists the SHA-256 of every log file delivered in its hour and
// the hash and signature of the previous digest, and is itself signed
// (SHA256withRSA over a signing string; the hex signature is the digest
// object's x-amz-meta-signature metadata). It reports, per account, region
// and delivery hour, whether the logs are verified, unverified (no digest
// covers them) or broken (a file is missing or modified, or the chain or a
// signature does not check).
package integrity

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/storage"
)

// Hour statuses.
const (
	Verified   = "verified"
	Unverified = "unverified"
	Broken     = "broken"
)

// Problem kinds.
const (
	MissingLog     = "missing_log_file"
	ModifiedLog    = "modified_log_file"
	BadSignature   = "bad_signature"
	NoSignature    = "no_signature"
	UnknownKey     = "unknown_public_key"
	MissingDigest  = "missing_previous_digest"
	ChainBroken    = "chain_broken"
	BadDigest      = "unreadable_digest"
	UndigestedFile = "log_file_not_in_any_digest"
)

// SignatureSidecar is the suffix of a file holding a digest's hex signature
// next to the digest, for copies of a trail bucket that lost S3 metadata.
const SignatureSidecar = ".signature"

// Keys are CloudTrail public keys by hex fingerprint.
type Keys map[string]*rsa.PublicKey

// Fingerprint is the hex MD5 of the key's PKCS #1 DER encoding, the form
// CloudTrail's ListPublicKeys and digestPublicKeyFingerprint use.
func Fingerprint(k *rsa.PublicKey) string {
	s := md5.Sum(x509.MarshalPKCS1PublicKey(k))
	return hex.EncodeToString(s[:])
}

// ParseKeys reads PEM public keys (PKCS #1 "RSA PUBLIC KEY" or PKIX
// "PUBLIC KEY") and indexes them by Fingerprint.
func ParseKeys(pemData []byte) (Keys, error) {
	keys := Keys{}
	for {
		var b *pem.Block
		b, pemData = pem.Decode(pemData)
		if b == nil {
			break
		}
		var k *rsa.PublicKey
		switch b.Type {
		case "RSA PUBLIC KEY":
			pk, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("integrity: public key: %w", err)
			}
			k = pk
		case "PUBLIC KEY":
			pk, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("integrity: public key: %w", err)
			}
			rk, ok := pk.(*rsa.PublicKey)
			if !ok {
				return nil, errors.New("integrity: public key is not RSA")
			}
			k = rk
		default:
			continue
		}
		keys[Fingerprint(k)] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("integrity: no RSA public key in PEM data")
	}
	return keys, nil
}

// Digest is the part of a CloudTrail digest file the verifier reads.
type Digest struct {
	AccountID               string    `json:"awsAccountId"`
	DigestStartTime         string    `json:"digestStartTime"`
	DigestEndTime           string    `json:"digestEndTime"`
	DigestS3Bucket          string    `json:"digestS3Bucket"`
	DigestS3Object          string    `json:"digestS3Object"`
	PublicKeyFingerprint    string    `json:"digestPublicKeyFingerprint"`
	SignatureAlgorithm      string    `json:"digestSignatureAlgorithm"`
	PreviousDigestS3Bucket  *string   `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object  *string   `json:"previousDigestS3Object"`
	PreviousDigestHashValue *string   `json:"previousDigestHashValue"`
	PreviousDigestSignature *string   `json:"previousDigestSignature"`
	LogFiles                []LogFile `json:"logFiles"`
}

// LogFile is one log file a digest vouches for.
type LogFile struct {
	S3Bucket      string `json:"s3Bucket"`
	S3Object      string `json:"s3Object"`
	HashValue     string `json:"hashValue"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

// SigningString is what CloudTrail signs for a digest: its end time, its S3
// path, the hex SHA-256 of its uncompressed content and the previous
// digest's hex signature ("null" for the first digest of a trail).
func SigningString(d *Digest, contentSHA256 string) string {
	prev := "null"
	if d.PreviousDigestSignature != nil && *d.PreviousDigestSignature != "" {
		prev = *d.PreviousDigestSignature
	}
	return d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + contentSHA256 + "\n" + prev
}

// Hour is the verification status of one account/region delivery hour.
type Hour struct {
	Account string    `json:"account_id"`
	Region  string    `json:"region"`
	Hour    time.Time `json:"hour"`
	Status  string    `json:"status"`
	Detail  string    `json:"detail"`
}

// Problem is one failed check.
type Problem struct {
	Kind   string `json:"kind"`
	Key    string `json:"key"`
	Digest string `json:"digest,omitempty"`
	Detail string `json:"detail"`
}

// Result is a verification run.
type Result struct {
	Digests  int       `json:"digests"`
	LogFiles int       `json:"log_files"`
	Hours    []Hour    `json:"hours"`
	Problems []Problem `json:"problems"`
}

// Verifier checks the digests of a trail bucket (or a copy of it).
type Verifier struct {
	Store  storage.Store
	Prefix string // where AWSLogs/ starts in Store ("" = root)
	// Keys verify signatures; nil checks hashes and the chain only (hours
	// are then verified "by hash chain only").
	Keys   Keys
	Logger *slog.Logger
}

type digestFile struct {
	key     string
	end     time.Time
	d       Digest
	sha     string // of the uncompressed content
	sig     string
	account string
	region  string
	stream  string // account/region/trail: one chain
	bad     bool
}

// Verify checks every digest whose end time falls in (from, to+1h] and the
// log files they list, and classifies the CloudTrail log files delivered in
// [from, to) by hour.
func (v *Verifier) Verify(ctx context.Context, from, to time.Time) (*Result, error) {
	if v.Logger == nil {
		v.Logger = slog.New(slog.DiscardHandler)
	}
	res := &Result{Hours: []Hour{}, Problems: []Problem{}}
	var digestKeys []string
	logFiles := map[string]time.Time{} // CloudTrail log key → delivery time
	err := v.Store.List(ctx, v.Prefix, func(o storage.ObjectInfo) error {
		l := rawlog.ParseKey(o.Key)
		if l.Source != rawlog.CloudTrail {
			return nil
		}
		switch {
		case strings.Contains(o.Key, "/CloudTrail-Digest/") && !strings.HasSuffix(o.Key, SignatureSidecar):
			if end, ok := DigestTime(o.Key); ok && end.After(from) && !end.After(to.Add(time.Hour)) {
				digestKeys = append(digestKeys, o.Key)
			}
		case l.NonData == "" && !l.Time.IsZero():
			if !l.Time.Before(from) && l.Time.Before(to) {
				logFiles[o.Key] = l.Time
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("integrity: list: %w", err)
	}
	if len(digestKeys) == 0 && len(logFiles) == 0 {
		return res, nil
	}
	problem := func(kind, key, digest, detail string) {
		res.Problems = append(res.Problems, Problem{Kind: kind, Key: key, Digest: digest, Detail: detail})
	}

	var digests []*digestFile
	for _, k := range digestKeys {
		df, err := v.loadDigest(ctx, k)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, err
			}
			problem(BadDigest, k, k, err.Error())
			continue
		}
		digests = append(digests, df)
	}
	res.Digests = len(digests)
	sort.Slice(digests, func(i, j int) bool {
		if digests[i].stream != digests[j].stream {
			return digests[i].stream < digests[j].stream
		}
		return digests[i].end.Before(digests[j].end)
	})

	// Signatures and chain links.
	for i, df := range digests {
		if v.Keys != nil {
			switch {
			case df.sig == "":
				df.bad = true
				problem(NoSignature, df.key, df.key, "digest has no x-amz-meta-signature (nor "+SignatureSidecar+" file)")
			default:
				if kind, detail := v.checkSignature(df); kind != "" {
					df.bad = true
					problem(kind, df.key, df.key, detail)
				}
			}
		}
		if df.d.PreviousDigestS3Object == nil || *df.d.PreviousDigestS3Object == "" {
			continue // first digest of the trail
		}
		prevKey := *df.d.PreviousDigestS3Object
		var prev *digestFile
		if i > 0 && digests[i-1].stream == df.stream && sameObject(digests[i-1].key, prevKey) {
			prev = digests[i-1]
		} else {
			// The previous digest lies before the window (or is missing).
			p, err := v.loadDigest(ctx, v.storeKey(prevKey))
			if err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					df.bad = true
					problem(MissingDigest, prevKey, df.key, "the previous digest named by this digest does not exist")
					continue
				}
				df.bad = true
				problem(BadDigest, prevKey, df.key, err.Error())
				continue
			}
			prev = p
		}
		if df.d.PreviousDigestHashValue != nil && !strings.EqualFold(*df.d.PreviousDigestHashValue, prev.sha) {
			df.bad = true
			problem(ChainBroken, prev.key, df.key, "previous digest's SHA-256 does not match previousDigestHashValue (modified or replaced)")
		}
		if df.d.PreviousDigestSignature != nil && prev.sig != "" && !strings.EqualFold(*df.d.PreviousDigestSignature, prev.sig) {
			df.bad = true
			problem(ChainBroken, prev.key, df.key, "previous digest's signature does not match previousDigestSignature")
		}
	}

	// Log files.
	type hourKey struct {
		acct, region string
		hour         time.Time
	}
	type hourState struct {
		files, verified, broken int
		details                 []string
	}
	hours := map[hourKey]*hourState{}
	state := func(key string, t time.Time) *hourState {
		l := rawlog.ParseKey(key)
		hk := hourKey{l.Account, l.Region, t.Truncate(time.Hour)}
		h := hours[hk]
		if h == nil {
			h = &hourState{}
			hours[hk] = h
		}
		return h
	}
	covered := map[string]bool{}
	for _, df := range digests {
		for _, lf := range df.d.LogFiles {
			key := v.storeKey(lf.S3Object)
			covered[key] = true
			res.LogFiles++
			t := rawlog.ParseKey(key).Time
			inWindow := !t.Before(from) && t.Before(to)
			sum, err := v.hashObject(ctx, key)
			var kind, detail string
			switch {
			case errors.Is(err, storage.ErrNotFound):
				kind, detail = MissingLog, "listed in the digest but not in the bucket"
			case err != nil:
				kind, detail = MissingLog, "unreadable: "+err.Error()
			case !strings.EqualFold(sum, lf.HashValue):
				kind, detail = ModifiedLog, "SHA-256 of the uncompressed file does not match the digest"
			}
			if kind != "" {
				problem(kind, key, df.key, detail)
			}
			if !inWindow {
				continue
			}
			h := state(key, t)
			h.files++
			switch {
			case kind != "":
				h.broken++
				h.details = append(h.details, kind+": "+key)
			case df.bad:
				h.broken++
				h.details = append(h.details, "digest fails verification: "+df.key)
			default:
				h.verified++
			}
		}
	}
	var undigested []string
	for key := range logFiles {
		if !covered[key] {
			undigested = append(undigested, key)
		}
	}
	sort.Strings(undigested)
	for _, key := range undigested {
		h := state(key, logFiles[key])
		h.files++
		h.details = append(h.details, UndigestedFile+": "+key)
	}

	for hk, h := range hours {
		out := Hour{Account: hk.acct, Region: hk.region, Hour: hk.hour}
		switch {
		case h.broken > 0:
			out.Status = Broken
		case h.verified == h.files:
			out.Status = Verified
		default:
			out.Status = Unverified
		}
		switch {
		case len(h.details) > 0:
			sort.Strings(h.details)
			out.Detail = strings.Join(h.details, "; ")
		case v.Keys == nil:
			out.Detail = fmt.Sprintf("%d file(s); hash chain checked, signatures not checked (no public key)", h.files)
		default:
			out.Detail = fmt.Sprintf("%d file(s); hashes and signatures checked", h.files)
		}
		res.Hours = append(res.Hours, out)
	}
	sort.Slice(res.Hours, func(i, j int) bool {
		a, b := res.Hours[i], res.Hours[j]
		if !a.Hour.Equal(b.Hour) {
			return a.Hour.Before(b.Hour)
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Region < b.Region
	})
	sort.SliceStable(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i], res.Problems[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Kind < b.Kind
	})
	return res, nil
}

// DigestTime reads the end time from a digest file name
// (…_CloudTrail-Digest_…_20261121T110000Z.json.gz).
func DigestTime(key string) (time.Time, bool) {
	base := key[strings.LastIndex(key, "/")+1:]
	base, _, _ = strings.Cut(base, ".")
	parts := strings.Split(base, "_")
	for i := len(parts) - 1; i >= 0; i-- {
		if t, err := time.Parse("20060102T150405Z", parts[i]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// storeKey maps an S3 object key named in a digest to a key in Store: the
// part from "AWSLogs/" on, under Prefix.
func (v *Verifier) storeKey(s3Object string) string {
	if i := strings.Index(s3Object, "AWSLogs/"); i >= 0 {
		s3Object = s3Object[i:]
	}
	p := strings.Trim(v.Prefix, "/")
	if p != "" {
		return p + "/" + s3Object
	}
	return s3Object
}

func sameObject(storeKey, s3Object string) bool {
	if i := strings.Index(s3Object, "AWSLogs/"); i >= 0 {
		s3Object = s3Object[i:]
	}
	return strings.HasSuffix(storeKey, s3Object)
}

func (v *Verifier) loadDigest(ctx context.Context, key string) (*digestFile, error) {
	rc, info, err := v.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	data, err := readMaybeGzip(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("read digest: %w", err)
	}
	df := &digestFile{key: key}
	if err := json.Unmarshal(data, &df.d); err != nil {
		return nil, fmt.Errorf("decode digest: %w", err)
	}
	if df.d.DigestEndTime == "" || df.d.DigestS3Object == "" {
		return nil, errors.New("not a CloudTrail digest (no digestEndTime / digestS3Object)")
	}
	df.end, err = time.Parse(time.RFC3339, df.d.DigestEndTime)
	if err != nil {
		return nil, fmt.Errorf("digestEndTime: %w", err)
	}
	s := sha256.Sum256(data)
	df.sha = hex.EncodeToString(s[:])
	df.sig = info.Metadata["signature"]
	if df.sig == "" {
		if sc, _, err := v.Store.Get(ctx, key+SignatureSidecar); err == nil {
			b, _ := io.ReadAll(io.LimitReader(sc, 8192))
			sc.Close()
			df.sig = strings.TrimSpace(string(b))
		}
	}
	l := rawlog.ParseKey(key)
	df.account, df.region = l.Account, l.Region
	base := key[strings.LastIndex(key, "/")+1:]
	trail := base
	if parts := strings.Split(base, "_"); len(parts) >= 5 {
		trail = strings.Join(parts[3:len(parts)-1], "_") // <trail-region>_<trail-name>_<region>? keep all middle parts
	}
	df.stream = df.account + "/" + df.region + "/" + trail
	return df, nil
}

func (v *Verifier) checkSignature(df *digestFile) (kind, detail string) {
	k := v.Keys[strings.ToLower(df.d.PublicKeyFingerprint)]
	if k == nil {
		return UnknownKey, "no public key with fingerprint " + df.d.PublicKeyFingerprint
	}
	sig, err := hex.DecodeString(df.sig)
	if err != nil {
		return BadSignature, "signature is not hex"
	}
	h := sha256.Sum256([]byte(SigningString(&df.d, df.sha)))
	if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig); err != nil {
		return BadSignature, "RSA signature does not verify (digest modified, or signed by another key)"
	}
	return "", ""
}

func (v *Verifier) hashObject(ctx context.Context, key string) (string, error) {
	rc, _, err := v.Store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	var r io.Reader = rc
	br := newPeek(rc)
	if br.gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return "", err
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readMaybeGzip(r io.Reader) ([]byte, error) {
	p := newPeek(r)
	if !p.gz {
		return io.ReadAll(io.LimitReader(p, 64<<20))
	}
	zr, err := gzip.NewReader(p)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(io.LimitReader(zr, 64<<20))
}

// peek reads the first two bytes to tell gzip from plain content.
type peek struct {
	io.Reader
	gz bool
}

func newPeek(r io.Reader) *peek {
	head := make([]byte, 2)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	return &peek{Reader: io.MultiReader(bytes.NewReader(head), r), gz: n == 2 && head[0] == 0x1f && head[1] == 0x8b}
}
