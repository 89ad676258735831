// apiprobe: an in-cluster API client for the tests of the test node (scripts/stack/node-up).
// It reads the ServiceAccount files kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount
// (token, ca.crt, namespace), sends one GET with the token to the API server, verifying its
// certificate with ca.crt, and reports the answer:
//   apiprobe [-server URL] PATH
// URL defaults to https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (the `kubernetes`
// Service); in PATH, "{namespace}" is replaced by the namespace file's content and "{pod}" by
// $HOSTNAME. The report (one JSON object: url, status, body up to 2 KB, or error) goes to stdout
// and to /dev/termination-log, so it is in the Pod's status (containerStatuses[].state.terminated.
// message) without `kubectl logs`. Exit 0 on a 2xx answer, 1 otherwise. One request, 10 s timeout.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

type report struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Body   string `json:"body,omitempty"`
	Error  string `json:"error,omitempty"`
}

func finish(r report) {
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	_ = os.WriteFile("/dev/termination-log", out, 0o644)
	if r.Error == "" && r.Status >= 200 && r.Status < 300 {
		os.Exit(0)
	}
	os.Exit(1)
}

func main() {
	server := flag.String("server", "", "API server URL (default: the kubernetes Service from the environment)")
	flag.Parse()
	r := report{}
	if flag.NArg() != 1 {
		r.Error = "usage: apiprobe [-server URL] PATH"
		finish(r)
	}
	if *server == "" {
		host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if host == "" || port == "" {
			r.Error = "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set and no -server"
			finish(r)
		}
		*server = "https://" + net.JoinHostPort(host, port)
	}
	token, err := os.ReadFile(saDir + "/token")
	if err != nil {
		r.Error = err.Error()
		finish(r)
	}
	ca, err := os.ReadFile(saDir + "/ca.crt")
	if err != nil {
		r.Error = err.Error()
		finish(r)
	}
	ns, err := os.ReadFile(saDir + "/namespace")
	if err != nil {
		r.Error = err.Error()
		finish(r)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		r.Error = "no certificate in " + saDir + "/ca.crt"
		finish(r)
	}
	path := strings.ReplaceAll(flag.Arg(0), "{namespace}", strings.TrimSpace(string(ns)))
	path = strings.ReplaceAll(path, "{pod}", os.Getenv("HOSTNAME"))
	r.URL = *server + path
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	req, err := http.NewRequest("GET", r.URL, nil)
	if err != nil {
		r.Error = err.Error()
		finish(r)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		r.Error = err.Error()
		finish(r)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	r.Status, r.Body = resp.StatusCode, string(body)
	finish(r)
}
