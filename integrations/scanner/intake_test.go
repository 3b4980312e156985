package scanner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/scanner"
)

var secret = []byte("a-test-secret-of-32-characters!!")

type intakeEnv struct {
	*bottest.Env
	srv *httptest.Server
}

func newIntake(t *testing.T) *intakeEnv {
	env := bottest.New(t, time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(scanner.NewIntake(env.Bot, secret, env.Clock.Now, nil))
	t.Cleanup(srv.Close)
	return &intakeEnv{Env: env, srv: srv}
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
	tests := []struct {
		name   string
		body   []byte
		tamper func(http.Header)
		status int
		answer string
	}{
		{"bad signature", good, func(h http.Header) { h.Set(scanner.HeaderSignature, "sha256="+strings.Repeat("0", 64)) }, 401, "signature does not match"},
		{"missing signature", good, func(h http.Header) { h.Del(scanner.HeaderSignature) }, 401, "sha256=HEX"},
		{"missing timestamp", good, func(h http.Header) { h.Del(scanner.HeaderTimestamp) }, 401, "Unix seconds"},
		{"timestamp 6 minutes old", good, func(h http.Header) {
			ts := strconv.FormatInt(time.Date(2027, 3, 23, 9, 54, 0, 0, time.UTC).Unix(), 10)
			h.Set(scanner.HeaderTimestamp, ts)
			h.Set(scanner.HeaderSignature, scanner.Sign(secret, ts, good))
		}, 401, "off"},
		{"malformed JSON", []byte(`{"scan_id": "x", `), nil, 400, "body: "},
		{"impossible value", mustJSON(t, func() scanner.Report { r := report("neg", "routes", start, 5); r.Large.Bytes = 6; return r }()), nil, 400, "large.bytes"},
		{"unknown team", mustJSON(t, report("u1", "cuisine", start, 5)), nil, 400, "team: unknown team cuisine"},
		{"too large", append(good[:len(good)-1], []byte(`,"pad":"`+strings.Repeat("x", scanner.MaxReportBytes)+`"}`)...), nil, 413, "1 MiB"},
		{"accepted", good, nil, 202, "accepted"},
		{"duplicate", good, nil, 200, "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.freed(t, "routes")
			code, a := e.post(t, tt.body, tt.tamper)
			if code != tt.status || !strings.Contains(a["status"]+a["error"], tt.answer) {
				t.Fatalf("answer %d %v, want %d with %q", code, a, tt.status, tt.answer)
			}
			after := e.freed(t, "routes")
			if changed := after != before; changed != (tt.status == 202) {
				t.Errorf("freed went %d → %d on a %d answer: only 202 may store", before, after, code)
			}
		})
	}
	if got := e.freed(t, "routes"); got != 10_000_000_000 {
		t.Errorf("routes freed %d, want 10 Go", got)
	}
}

func TestIntakeConcurrentSameReportCountsOnce(t *testing.T) {
	e := newIntake(t)
	start := e.Calendar.Start()
	e.post(t, mustJSON(t, report("base", "culture", start.Add(-time.Hour), 300_000_000_000)), nil)
	body := mustJSON(t, report("big", "culture", start.Add(time.Hour), 100_000_000_000)) // 200 Go: crosses 100 Go
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
	if got := e.freed(t, "culture"); got != 200_000_000_000 {
		t.Errorf("culture freed %d, want 200 Go", got)
	}
	if n := len(e.Chat.Of(bot.KindMilestone)); n != 3 {
		t.Errorf("%d milestone posts, want 100 Go announced once in each of 3 channels", n)
	}
}

func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(exampleReportForFuzz))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"files": -1}`))
	f.Add([]byte(`[1,2,3]`))
	now := time.Date(2026, 3, 24, 17, 1, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := scanner.DecodeReport(body, now)
		if err == nil {
			if verr := r.Validate(now); verr != nil {
				t.Fatalf("decoded a report that does not validate: %v", verr)
			}
		}
	})
}

func FuzzIntake(f *testing.F) {
	f.Add([]byte(exampleReportForFuzz), int64(0))
	f.Add([]byte(`{"scan_id":"a","team":"routes","source":"share","root":"/","scanned_at":"2027-03-23T09:00:00Z","files":1,"bytes":1}`), int64(0))
	f.Add([]byte(`not json`), int64(-400))
	env := bottest.New(f, time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC))
	h := scanner.NewIntake(env.Bot, secret, env.Clock.Now, nil)
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
