// pause: the sandbox ("pause") container of the test node (scripts/stack/node-up).
// It holds the pod's namespaces and does nothing else: it waits for SIGTERM or SIGINT and
// exits 0. Static (CGO_ENABLED=0), no libc, runs in a FROM-scratch image as PID 1, so it also
// reaps children it might inherit.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s == syscall.SIGCHLD {
			for {
				var ws syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
			continue
		}
		os.Exit(0)
	}
}
