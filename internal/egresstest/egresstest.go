// Package egresstest fakes the way out of an intranet for the chat
// adapters' tests: a certificate authority of its own (the intranet's CA),
// TLS servers it signed for a host name, an HTTP CONNECT proxy (the
// outbound proxy), and a child process that runs one test with
// SSL_CERT_FILE, HTTPS_PROXY and NO_PROXY set, since Go reads them once per
// process.
package egresstest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// CA is a certificate authority made for one test.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// NewCA returns a new authority, valid for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "egresstest intranet CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{cert: cert, key: key, der: der}
}

// PEM is the authority's certificate, as SSL_CERT_FILE holds it.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der})
}

// WriteFile writes the authority's certificate in a file of the test's
// temporary directory and returns its path.
func (ca *CA) WriteFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "intranet-ca.pem")
	if err := os.WriteFile(path, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Pool is a pool holding the authority alone.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Leaf returns a server certificate the authority signed for hosts (names
// or IP addresses), and its chain and key in PEM.
func (ca *CA) Leaf(t testing.TB, hosts ...string) (cert tls.Certificate, chainPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	chainPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca.PEM()...)
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err = tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert, chainPEM, keyPEM
}

// Server serves h over TLS on loopback with a certificate the authority
// signed for host, as host's real server would (the fake of a Slack or
// Mattermost endpoint). It closes when the test ends.
func (ca *CA) Server(t testing.TB, host string, h http.Handler) *httptest.Server {
	t.Helper()
	cert, _, _ := ca.Leaf(t, host)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	// A client refusing the certificate is what some tests look for.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// Proxy is an HTTP CONNECT proxy that tunnels every request, whatever the
// host asked, to one address (the fake's), and records the hosts asked.
type Proxy struct {
	// URL is what HTTPS_PROXY holds: http://127.0.0.1:port.
	URL string

	mu    sync.Mutex
	asked []string
}

// NewProxy starts a proxy tunnelling to target (host:port). It closes when
// the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "this proxy only tunnels (CONNECT)", http.StatusMethodNotAllowed)
			return
		}
		p.mu.Lock()
		p.asked = append(p.asked, r.Host)
		p.mu.Unlock()
		p.tunnel(w, target)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// tunnel answers 200 and copies bytes both ways between the client and
// target until either side closes.
func (p *Proxy) tunnel(w http.ResponseWriter, target string) {
	up, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer up.Close()
	w.WriteHeader(http.StatusOK)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	done := make(chan struct{}, 2)
	// buf.Reader holds what the server read ahead, then reads conn.
	go func() { _, _ = io.Copy(up, buf.Reader); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, up); done <- struct{}{} }()
	<-done
}

// Asked returns the hosts (host:port) clients asked the proxy for, in order.
func (p *Proxy) Asked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.asked)
}

// childVar marks the child process that Run starts.
const childVar = "EGRESSTEST_CHILD"

// InChild tells whether this process is a child that Run started: the
// tests meant for it run, the others skip.
func InChild() bool { return os.Getenv(childVar) == "1" }

// Run runs the test named test of the current test binary in a child
// process, with the parent's environment minus the proxy and certificate
// variables, plus env ("KEY=value"). It returns the child's output and
// whether it passed.
func Run(t testing.TB, test string, env ...string) (output string, passed bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", childVar:
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(append(cmd.Env, childVar+"=1"), env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("child %s did not finish:\n%s", test, out)
	}
	if _, exited := errors.AsType[*exec.ExitError](err); err != nil && !exited {
		t.Fatalf("child %s: %v", test, err)
	}
	return string(out), err == nil
}

// Case is one run of a child test in an egress test.
type Case struct {
	Name string
	// Child is the test the child process runs.
	Child string
	// Env is added to the child's environment ("KEY=value").
	Env []string
	// Pass tells whether the child must pass; Want is in its output.
	Pass bool
	Want string
	// Tunnels is how many connections to the host the proxy must carry, at
	// least (a failed call may be retried); 0: none.
	Tunnels int
	// Check, when set, checks more once the child has run.
	Check func(t *testing.T)
}

// Egress is the way out of the intranet to one host: its fake, with a
// certificate from the intranet's CA, behind the outbound proxy.
type Egress struct {
	// Host is the fake's name (port 443).
	Host  string
	Proxy *Proxy
	// CAFile holds the intranet CA's certificate, for SSL_CERT_FILE.
	CAFile string
	// Through is the environment of a child that goes through the proxy
	// and trusts the CA.
	Through []string
}

// New serves h as host, over TLS with a certificate a new CA signed,
// behind a proxy that tunnels every request to it.
func New(t testing.TB, host string, h http.Handler) *Egress {
	t.Helper()
	ca := NewCA(t)
	srv := ca.Server(t, host, h)
	e := &Egress{Host: host, Proxy: NewProxy(t, srv.Listener.Addr().String()), CAFile: ca.WriteFile(t)}
	e.Through = []string{"SSL_CERT_FILE=" + e.CAFile, "HTTPS_PROXY=" + e.Proxy.URL}
	return e
}

// RunCases runs each case, in order, as a subtest: the child's outcome,
// and the tunnels the proxy opened meanwhile, every one to the host.
func (e *Egress) RunCases(t *testing.T, cases []Case) {
	t.Helper()
	p, host := e.Proxy, e.Host+":443"
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			before := len(p.Asked())
			out, passed := Run(t, c.Child, c.Env...)
			if passed != c.Pass || !strings.Contains(out, c.Want) {
				t.Fatalf("child passed=%v, want %v and %q in its output:\n%s", passed, c.Pass, c.Want, out)
			}
			asked := p.Asked()[before:]
			tunnels := len(slices.DeleteFunc(slices.Clone(asked), func(h string) bool { return h != host }))
			if len(asked) != tunnels || tunnels < c.Tunnels || (c.Tunnels == 0 && tunnels != 0) {
				t.Errorf("the proxy was asked for %q, want %s (%d times at least)", asked, host, c.Tunnels)
			}
			if c.Check != nil {
				c.Check(t)
			}
		})
	}
}
