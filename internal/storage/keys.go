package storage

import (
	"fmt"
	"strings"
)

// tempPrefix starts the name of every in-progress Local upload. Keys whose
// segments start with it are rejected so an object can never be mistaken for
// (or collide with) a temp file.
const tempPrefix = ".seclake-tmp-"

// ValidateKey reports whether key is usable on every backend: non-empty,
// relative, "/"-separated, with no empty, "." or ".." segments, no
// backslashes or NUL bytes. The error wraps ErrInvalidKey and names the key.
func ValidateKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, reason)
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case strings.HasPrefix(key, "/"):
		return "absolute"
	case strings.ContainsRune(key, '\\'):
		return "contains a backslash"
	case strings.ContainsRune(key, 0):
		return "contains a NUL byte"
	}
	for _, seg := range strings.Split(key, "/") {
		switch {
		case seg == "":
			return "empty path segment"
		case seg == "." || seg == "..":
			return "contains a " + seg + " segment"
		case strings.HasPrefix(seg, tempPrefix):
			return "segment uses the reserved prefix " + tempPrefix
		}
	}
	return ""
}
