// apiforward: relays TCP connections from the node's bridge address to the API server on
// loopback, for the endpoint of the `kubernetes` Service (scripts/stack/node-up).
// kube-up's apiserver listens on 127.0.0.1 only; pods reach the Service's ClusterIP, which
// kube-proxy rewrites to this listener on the bridge gateway address (a host address inside
// the stack's own network). TLS passes through untouched (the client verifies the apiserver).
//   apiforward LISTEN-ADDR TARGET-ADDR STATE-DIR     (STATE-DIR only names whose process it is)
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: apiforward LISTEN-ADDR TARGET-ADDR STATE-DIR")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiforward:", err)
		os.Exit(1)
	}
	fmt.Printf("apiforward: %s -> %s\n", os.Args[1], os.Args[2])
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "apiforward: accept:", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go relay(c, os.Args[2])
	}
}

func relay(c net.Conn, target string) {
	defer c.Close()
	t, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiforward: dial:", err)
		return
	}
	defer t.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(t, c); t.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, t); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	<-done
	<-done
}
