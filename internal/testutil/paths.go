// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FindRepoRoot walks up from the working directory to the folder holding
// go.mod.
func FindRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// RepoRoot is FindRepoRoot for tests: it fails the test when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// SampleRaw is the project's sample raw logs folder (testdata/raw).
func SampleRaw(t testing.TB) string { return filepath.Join(RepoRoot(t), "testdata", "raw") }
