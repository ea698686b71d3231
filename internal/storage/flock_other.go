//go:build !unix

package storage

import (
	"context"
	"os"
	"sync"
)

// lockFile has no cross-process lock on this platform; conditional Puts are
// atomic only within one process there.
func lockFile(ctx context.Context, f *os.File) error {
	localCondMu.Lock()
	return ctx.Err()
}

func unlockFile(*os.File) { localCondMu.Unlock() }

var localCondMu sync.Mutex
