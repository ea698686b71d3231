package detect

import (
	"os"
	"sync"
	"testing"
)

// tempRoots are the directories of the lakes shared by the package's tests
// (generatedLake, smallLake): made once, removed when all tests are done.
// t.TempDir cannot hold them, as it is removed when its test ends. Left in
// place, each run of the package left 350 MB behind in the temp directory.
var (
	tempMu    sync.Mutex
	tempRoots []string
)

func addTempRoot(dir string) {
	tempMu.Lock()
	defer tempMu.Unlock()
	tempRoots = append(tempRoots, dir)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempRoots {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}
