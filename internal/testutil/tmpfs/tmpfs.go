// Package tmpfs gives tests small or read-only file systems, to provoke
// ENOSPC and EROFS for real. Mounting needs root (CAP_SYS_ADMIN); without it
// the tests that need a mount skip.
package tmpfs

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Mount mounts a tmpfs with the given options (e.g. "size=1m") on a fresh
// directory and unmounts it on cleanup. It skips the test when mounting is
// not possible here.
func Mount(t testing.TB, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("tmpfs: mounting a file system needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "seclake-test", dir).CombinedOutput(); err != nil {
		t.Skipf("tmpfs: mount -t tmpfs -o %s: %v: %s", opts, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("tmpfs: umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// Remount changes a mounted tmpfs's options ("size=64m" frees space, "ro"
// makes it read-only).
func Remount(t testing.TB, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("tmpfs: remount %s %s: %v: %s", dir, opts, err, out)
	}
}

// ReadOnlyDir returns an empty directory no process can write to: a
// read-only tmpfs as root (root ignores permission bits), else a mode 0555
// directory.
func ReadOnlyDir(t testing.TB) string {
	t.Helper()
	if os.Geteuid() == 0 {
		dir := Mount(t, "size=1m")
		Remount(t, dir, "ro")
		return dir
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	return dir
}
