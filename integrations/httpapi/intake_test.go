package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/scanner"
	"github.com/gigabot/gigabot/scoring"
)

var secret = []byte("a-test-secret-of-32-characters!!")

type intakeEnv struct {
	*bottest.Env
	srv      *httptest.Server
	outcomes *outcomes
}

func newIntake(t *testing.T) *intakeEnv {
	env := bottest.New(t, time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC))
	out := &outcomes{}
	srv := httptest.NewServer(httpapi.NewIntake(env.Bot, secret, env.Clock.Now, nil, httpapi.WithReports(out)))
	t.Cleanup(srv.Close)
	return &intakeEnv{Env: env, srv: srv, outcomes: out}
}

// outcomes records the outcomes the intake reports.
type outcomes struct {
	mu   sync.Mutex
	list []string
}

func (o *outcomes) Report(outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, outcome)
}

// count returns how many times each outcome was reported.
func (o *outcomes) count() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := map[string]int{}
	for _, s := range o.list {
		n[s]++
	}
	return n
}

func (o *outcomes) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.list)
}

// last returns the latest outcome reported.
func (o *outcomes) last() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.list) == 0 {
		return ""
	}
	return o.list[len(o.list)-1]
}

func report(id, team string, at time.Time, bytes int64) scanner.Report {
	return scanner.Report{ScanID: id, Team: team, Source: "share", Root: "/srv/partages/" + team, ScannedAt: at, Files: 10, Bytes: bytes}
}

// post sends a body signed at the bot's current time, or as tamper says.
func (e *intakeEnv) post(t *testing.T, body []byte, tamper func(h http.Header)) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL, bytes.NewReader(body))
	ts := strconv.FormatInt(e.Clock.Now().Unix(), 10)
	req.Header.Set(scanner.HeaderTimestamp, ts)
	req.Header.Set(scanner.HeaderSignature, scanner.Sign(secret, ts, body))
	if tamper != nil {
		tamper(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a map[string]string
	json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *intakeEnv) freed(t *testing.T, team string) int64 {
	t.Helper()
	f, err := e.Store.Figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f[team].FreedBytes
}

func TestIntakeAnswers(t *testing.T) {
	e := newIntake(t)
	start := e.Calendar.Start()
	base := mustJSON(t, report("base", "routes", start.Add(-time.Hour), 1_000_000_000_000))
	if code, a := e.post(t, base, nil); code != 202 || a["status"] != "accepted" {
		t.Fatalf("baseline: %d %v", code, a)
	}
	good := mustJSON(t, report("day1", "routes", e.Clock.Now().Add(-time.Minute), 990_000_000_000))
	// Scanned after the campaign started but before day1's scan: neither
	// the baseline nor the latest figure.
	older := mustJSON(t, report("older", "routes", start.Add(time.Hour), 995_000_000_000))
	tests := []struct {
		name    string
		body    []byte
		tamper  func(http.Header)
		status  int
		answer  string
		outcome string
	}{
		{"bad signature", good, func(h http.Header) { h.Set(scanner.HeaderSignature, "sha256="+strings.Repeat("0", 64)) }, 401, "signature does not match", httpapi.OutcomeBadSignature},
		{"missing signature", good, func(h http.Header) { h.Del(scanner.HeaderSignature) }, 401, "sha256=HEX", httpapi.OutcomeBadSignature},
		{"missing timestamp", good, func(h http.Header) { h.Del(scanner.HeaderTimestamp) }, 401, "Unix seconds", httpapi.OutcomeBadSignature},
		{"timestamp 6 minutes old", good, func(h http.Header) {
			ts := strconv.FormatInt(time.Date(2027, 3, 23, 9, 54, 0, 0, time.UTC).Unix(), 10)
			h.Set(scanner.HeaderTimestamp, ts)
			h.Set(scanner.HeaderSignature, scanner.Sign(secret, ts, good))
		}, 401, "off", httpapi.OutcomeBadSignature},
		{"malformed JSON", []byte(`{"scan_id": "x", `), nil, 400, "body: ", httpapi.OutcomeInvalid},
		{"impossible value", mustJSON(t, func() scanner.Report { r := report("neg", "routes", start, 5); r.Large.Bytes = 6; return r }()), nil, 400, "large.bytes", httpapi.OutcomeInvalid},
		{"unknown team", mustJSON(t, report("u1", "cuisine", start, 5)), nil, 400, "team: unknown team cuisine", httpapi.OutcomeUnknownTeam},
		{"too large", append(good[:len(good)-1], []byte(`,"pad":"`+strings.Repeat("x", scanner.MaxReportBytes)+`"}`)...), nil, 413, "1 MiB", httpapi.OutcomeTooLarge},
		{"accepted", good, nil, 202, "accepted", httpapi.OutcomeAccepted},
		{"duplicate", good, nil, 200, "duplicate", httpapi.OutcomeDuplicate},
		{"older than the latest scan", older, nil, 202, "accepted", httpapi.OutcomeStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.freed(t, "routes")
			code, a := e.post(t, tt.body, tt.tamper)
			if code != tt.status || !strings.Contains(a["status"]+a["error"], tt.answer) {
				t.Fatalf("answer %d %v, want %d with %q", code, a, tt.status, tt.answer)
			}
			if got := e.outcomes.last(); got != tt.outcome {
				t.Errorf("outcome %q, want %q", got, tt.outcome)
			}
			after := e.freed(t, "routes")
			if changed := after != before; changed != (tt.outcome == httpapi.OutcomeAccepted) {
				t.Errorf("freed went %d → %d on a %d answer: only an accepted scan may change it", before, after, code)
			}
		})
	}
	if n := e.outcomes.len(); n != len(tests)+1 {
		t.Errorf("%d outcomes reported for %d requests, want one each", n, len(tests)+1)
	}
	if got := e.freed(t, "routes"); got != 10_000_000_000 {
		t.Errorf("routes freed %d, want 10 Go", got)
	}
}

func TestIntakeConcurrentSameReportCountsOnce(t *testing.T) {
	e := newIntake(t)
	e.Follow(t)
	start := e.Calendar.Start()
	e.post(t, mustJSON(t, report("base", "culture", start.Add(-time.Hour), 300_000_000_000)), nil)
	body := mustJSON(t, report("big", "culture", start.Add(time.Hour), 180_000_000_000)) // 120 Go: crosses 100 Go
	codes := make(chan int, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := e.post(t, body, nil)
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[202] != 1 || count[200] != 19 {
		t.Errorf("answers %v, want one 202 and nineteen 200", count)
	}
	if got := e.outcomes.count(); got[httpapi.OutcomeAccepted] != 2 || got[httpapi.OutcomeDuplicate] != 19 {
		t.Errorf("outcomes %v, want the baseline and one more accepted, nineteen duplicates", got)
	}
	if got := e.freed(t, "culture"); got != 120_000_000_000 {
		t.Errorf("culture freed %d, want 120 Go", got)
	}
	bottest.Eventually(t, "the 100 Go milestone in each of 3 channels", func() bool { return len(e.Chat.Of(bot.KindMilestone)) >= 3 })
	if n := len(e.Chat.Of(bot.KindMilestone)); n != 3 {
		t.Errorf("%d milestone posts, want 100 Go announced once in each of 3 channels", n)
	}
}

// failingRecorder is a store that is down.
type failingRecorder struct{}

func (failingRecorder) RecordScan(context.Context, scoring.Scan) (scoring.ScanResult, error) {
	return scoring.ScanResult{}, errors.New("redis: connection refused")
}

// brokenBody fails mid-read, as a client that goes away.
type brokenBody struct{}

func (brokenBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestIntakeOutcomesOfFailures(t *testing.T) {
	now := time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC)
	body := mustJSON(t, report("s1", "routes", now.Add(-time.Minute), 5))
	signed := func(method string, body io.Reader, raw []byte) *http.Request {
		req := httptest.NewRequest(method, "/api/v1/scans", body)
		ts := strconv.FormatInt(now.Unix(), 10)
		req.Header.Set(scanner.HeaderTimestamp, ts)
		req.Header.Set(scanner.HeaderSignature, scanner.Sign(secret, ts, raw))
		return req
	}
	tests := []struct {
		name    string
		req     *http.Request
		status  int
		outcome string
	}{
		{"the store is down", signed("POST", bytes.NewReader(body), body), 503, httpapi.OutcomeError},
		{"the body breaks off", signed("POST", brokenBody{}, body), 400, httpapi.OutcomeUnreadable},
		{"GET", signed("GET", nil, nil), 405, httpapi.OutcomeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &outcomes{}
			in := httpapi.NewIntake(failingRecorder{}, secret, func() time.Time { return now }, nil, httpapi.WithReports(out))
			rec := httptest.NewRecorder()
			in.ServeHTTP(rec, tt.req)
			if rec.Code != tt.status || out.last() != tt.outcome || len(out.list) != 1 {
				t.Errorf("answer %d, outcomes %v; want %d and %q once", rec.Code, out.list, tt.status, tt.outcome)
			}
		})
	}
}

func TestIntakeWithoutReports(t *testing.T) {
	in := httpapi.NewIntake(failingRecorder{}, secret, time.Now, nil, httpapi.WithReports(nil))
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/scans", strings.NewReader("{}")))
	if rec.Code != 401 {
		t.Errorf("answer %d, want 401", rec.Code)
	}
}

func FuzzIntake(f *testing.F) {
	f.Add([]byte(exampleReportForFuzz), int64(0))
	f.Add([]byte(`{"scan_id":"a","team":"routes","source":"share","root":"/","scanned_at":"2027-03-23T09:00:00Z","files":1,"bytes":1}`), int64(0))
	f.Add([]byte(`not json`), int64(-400))
	env := bottest.New(f, time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC))
	h := httpapi.NewIntake(env.Bot, secret, env.Clock.Now, nil)
	f.Fuzz(func(t *testing.T, body []byte, skew int64) {
		ts := strconv.FormatInt(env.Clock.Now().Unix()+skew, 10)
		req := httptest.NewRequest("POST", "/api/v1/scans", bytes.NewReader(body))
		req.Header.Set(scanner.HeaderTimestamp, ts)
		req.Header.Set(scanner.HeaderSignature, scanner.Sign(secret, ts, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 202, 400, 401, 413:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if (skew > 300 || skew < -300) && rec.Code != 401 {
			t.Fatalf("a timestamp %d s off got %d", skew, rec.Code)
		}
	})
}

var exampleReportForFuzz = fmt.Sprintf(`{"scan_id":"f1","team":"routes","source":"share","root":"/srv","scanned_at":%q,"files":10,"bytes":1000,
"duplicates":{"groups":1,"files":2,"reclaimable_bytes":100},"stale":{"files":1,"bytes":10,"older_than_days":1095},
"badly_named":{"files":1},"large":{"files":0,"bytes":0,"threshold_bytes":104857600},"empty":{"files":1,"dirs":2}}`,
	time.Date(2027, 3, 23, 9, 0, 0, 0, time.UTC).Format(time.RFC3339))
