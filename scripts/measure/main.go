// Command measure runs a command and prints its wall time and peak RSS as one
// JSON line on stderr (the command's own output passes through):
//
//	go run ./scripts/measure -- cmd args…
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -- command [args…]")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var rssKiB int64
	var user, sys float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rssKiB = ru.Maxrss // KiB on Linux
		user = time.Duration(ru.Utime.Nano()).Seconds()
		sys = time.Duration(ru.Stime.Nano()).Seconds()
	}
	out, _ := json.Marshal(map[string]any{"wall_s": wall.Seconds(), "user_s": user, "sys_s": sys, "max_rss_mib": float64(rssKiB) / 1024, "ok": err == nil})
	fmt.Fprintln(os.Stderr, "MEASURE "+string(out))
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		os.Exit(1)
	}
}
