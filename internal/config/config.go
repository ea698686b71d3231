// Package config holds seclake's settings: defaults, then a YAML file
// (--config), then environment variables, then command-line flags. Validate
// names each bad setting as the user wrote it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration.
type Config struct {
	// MemoryLimitMiB is the Go heap's soft limit (GOMEMLIMIT wins when set);
	// together with convert.buffer_rows it keeps convert under ~512 MiB RSS
	// (450: at 400 the collector runs hot once entities are extracted; see
	// README, Entities).
	MemoryLimitMiB int      `yaml:"memory_limit_mib"`
	Lake           string   `yaml:"lake"`
	Raw            string   `yaml:"raw"`
	S3             S3       `yaml:"s3"`
	Convert        Convert  `yaml:"convert"`
	Entities       Entities `yaml:"entities"`
	Log            Log      `yaml:"log"`
	Detect         Detect   `yaml:"detect"`
	Schedule       Schedule `yaml:"schedule"`
	Report         Report   `yaml:"report"`
	Notify         Notify   `yaml:"notify"`
}

// S3 settings apply to every s3:// location.
type S3 struct {
	Endpoint    string `yaml:"endpoint"`   // custom endpoint (MinIO, VPC endpoint); "" = AWS
	Region      string `yaml:"region"`     // AWS region of the buckets
	PathStyle   bool   `yaml:"path_style"` // path-style addressing (MinIO)
	KMSKeyID    string `yaml:"kms_key"`    // KMS key ARN, id or alias for SSE-KMS; required to write
	MaxAttempts int    `yaml:"max_attempts"`
}

// Convert settings.
type Convert struct {
	Source        string   `yaml:"source"`         // auto|cloudtrail|vpcflow|s3access
	Workers       int      `yaml:"workers"`        // 0 = number of CPUs
	VPCFlowFormat []string `yaml:"vpcflow_format"` // field names for header-less custom flow logs
	BufferRows    int      `yaml:"buffer_rows"`    // rows buffered before a Parquet part is written
}

// Entities settings: extraction of security entities into every event row.
type Entities struct {
	Extract   bool    `yaml:"extract"`   // extract during convert (default true)
	Threshold float32 `yaml:"threshold"` // minimum confidence kept (default 0.7)
	// PII is off, redact or hmac: e-mail addresses and IAM user names in the
	// event tables are replaced by a marker, or by a keyed HMAC that keeps
	// them joinable. The HMAC key comes from the environment variable named by
	// PIIKeyEnv (never from this file).
	PII       string `yaml:"pii"`
	PIIKeyEnv string `yaml:"pii_key_env"`
}

// Log settings.
type Log struct {
	Level  string `yaml:"level"`  // debug|info|warn|error
	Format string `yaml:"format"` // auto|json|text
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		MemoryLimitMiB: 450,
		Lake:           "./lake",
		S3:             S3{Region: "us-east-1", MaxAttempts: 5},
		Convert:        Convert{Source: "auto", BufferRows: 15_000},
		Entities:       Entities{Extract: true, Threshold: 0.7, PII: "off", PIIKeyEnv: "SECLAKE_PII_KEY"},
		Log:            Log{Level: "info", Format: "auto"},
		Detect:         DefaultDetect(),
		Schedule:       DefaultSchedule(),
		Report:         Report{ExpectedShare: 0.8, RetentionDays: 400, MemoryLimit: "1GB"},
		Notify:         Notify{MinSeverity: 60},
	}
}

// Load reads a YAML file over the defaults. Unknown keys are errors.
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ApplyEnv overlays the environment variables SECLAKE_LAKE, SECLAKE_RAW,
// SECLAKE_S3_ENDPOINT, AWS_REGION, SECLAKE_S3_REGION, SECLAKE_S3_PATH_STYLE,
// SECLAKE_KMS_KEY, SECLAKE_LOG_LEVEL and SECLAKE_LOG_FORMAT (getenv is
// os.Getenv in main).
func (c *Config) ApplyEnv(getenv func(string) string) error {
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	set(&c.Lake, "SECLAKE_LAKE")
	set(&c.Raw, "SECLAKE_RAW")
	set(&c.S3.Endpoint, "SECLAKE_S3_ENDPOINT")
	set(&c.S3.Region, "AWS_REGION")
	set(&c.S3.Region, "SECLAKE_S3_REGION")
	set(&c.S3.KMSKeyID, "SECLAKE_KMS_KEY")
	set(&c.Log.Level, "SECLAKE_LOG_LEVEL")
	set(&c.Log.Format, "SECLAKE_LOG_FORMAT")
	if err := c.Schedule.applyEnv(getenv); err != nil {
		return err
	}
	if v := getenv("SECLAKE_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("SECLAKE_S3_PATH_STYLE=%q: want true or false", v)
		}
		c.S3.PathStyle = b
	}
	return nil
}

// Validate checks every setting; errors name the setting as written in the
// config file (the flag names are the same words with dashes).
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) { errs = append(errs, fmt.Errorf(key+": "+format, a...)) }
	if c.Lake == "" {
		bad("lake", "must not be empty")
	}
	for key, loc := range map[string]string{"lake": c.Lake, "raw": c.Raw} {
		if strings.HasPrefix(loc, "s3://") {
			rest := strings.TrimPrefix(loc, "s3://")
			if rest == "" || strings.HasPrefix(rest, "/") {
				bad(key, "%q has no bucket (want s3://bucket/prefix)", loc)
			}
		} else if strings.Contains(loc, "://") {
			bad(key, "%q: only local paths and s3:// are supported", loc)
		}
	}
	if c.S3.Endpoint != "" && !strings.HasPrefix(c.S3.Endpoint, "http://") && !strings.HasPrefix(c.S3.Endpoint, "https://") {
		bad("s3.endpoint", "%q must start with http:// or https://", c.S3.Endpoint)
	}
	if strings.HasPrefix(c.Lake, "s3://") && c.S3.KMSKeyID == "" {
		bad("s3.kms_key", "an S3 lake is written with SSE-KMS: set s3.kms_key (--kms-key, SECLAKE_KMS_KEY)")
	}
	if k := c.S3.KMSKeyID; k != "" && strings.ContainsAny(k, " \t\n") {
		bad("s3.kms_key", "%q contains white space", k)
	}
	if c.S3.MaxAttempts < 1 || c.S3.MaxAttempts > 20 {
		bad("s3.max_attempts", "%d must be between 1 and 20", c.S3.MaxAttempts)
	}
	switch c.Convert.Source {
	case "auto", "cloudtrail", "vpcflow", "s3access":
	default:
		bad("convert.source", "%q: want auto, cloudtrail, vpcflow or s3access", c.Convert.Source)
	}
	if c.Convert.Workers < 0 || c.Convert.Workers > 256 {
		bad("convert.workers", "%d must be between 0 (all CPUs) and 256", c.Convert.Workers)
	}
	if c.MemoryLimitMiB != 0 && c.MemoryLimitMiB < 64 {
		bad("memory_limit_mib", "%d must be 0 (no limit) or at least 64", c.MemoryLimitMiB)
	}
	if c.Convert.BufferRows < 1000 {
		bad("convert.buffer_rows", "%d must be at least 1000", c.Convert.BufferRows)
	}
	if c.Entities.Threshold <= 0 || c.Entities.Threshold > 1 {
		bad("entities.threshold", "%g must be in (0, 1]", c.Entities.Threshold)
	}
	switch c.Entities.PII {
	case "off", "redact", "hmac":
	default:
		bad("entities.pii", "%q: want off, redact or hmac", c.Entities.PII)
	}
	if c.Entities.PII == "hmac" && c.Entities.PIIKeyEnv == "" {
		bad("entities.pii_key_env", "must name the environment variable holding the HMAC key")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "json", "text":
	default:
		bad("log.format", "%q: want auto, json or text", c.Log.Format)
	}
	if err := c.Detect.WithDefaults().Validate(); err != nil {
		errs = append(errs, err)
	}
	c.Schedule.validate(bad)
	errs = append(errs, c.Report.validate()...)
	errs = append(errs, c.Notify.validate()...)
	return errors.Join(errs...)
}
