//go:build !linux

package storage

import (
	"os"
	"syscall"
)

// syncfs falls back to a full sync where syncfs(2) does not exist.
func syncfs(*os.File) error {
	syscall.Sync()
	return nil
}
