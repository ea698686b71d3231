package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretSource resolves key material from the environment or AWS Secrets
// Manager; never from the config file.
type SecretSource struct {
	Getenv         func(string) string
	SecretsManager *secretsmanager.Client // nil: only env
}

// Resolve returns the secret in env (when set) or the Secrets Manager
// secret arn. Errors name where it looked, never the value.
func (s SecretSource) Resolve(ctx context.Context, env, arn string) (Secret, error) {
	if env != "" && s.Getenv != nil {
		if v := s.Getenv(env); v != "" {
			return NewSecret([]byte(v)), nil
		}
		if arn == "" {
			return Secret{}, fmt.Errorf("notify: environment variable %s is empty", env)
		}
	}
	if arn == "" {
		return Secret{}, errors.New("notify: no secret source (secret_env or secret_arn)")
	}
	if s.SecretsManager == nil {
		return Secret{}, fmt.Errorf("notify: secret %s: no Secrets Manager client", arn)
	}
	out, err := s.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return Secret{}, fmt.Errorf("notify: secret %s: %w", arn, err)
	}
	v := strings.TrimSpace(aws.ToString(out.SecretString))
	if v == "" && len(out.SecretBinary) > 0 {
		return NewSecret(out.SecretBinary), nil
	}
	if v == "" {
		return Secret{}, fmt.Errorf("notify: secret %s is empty", arn)
	}
	return NewSecret([]byte(v)), nil
}
