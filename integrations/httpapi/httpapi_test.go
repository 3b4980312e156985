package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/scoring"
)

type downStore struct{}

func (downStore) Ping(context.Context) error { return errors.New("connection refused") }

func TestStandings(t *testing.T) {
	env := bottest.New(t, time.Date(2027, 3, 23, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	start := env.Calendar.Start()
	for i, s := range []scoring.Scan{
		{ID: "a", Team: "routes", ScannedAt: start.Add(-time.Hour), Bytes: 1_000_000_000_000},
		{ID: "b", Team: "routes", ScannedAt: start.Add(time.Hour), Bytes: 900_000_000_000},
		{ID: "c", Team: "culture", ScannedAt: start.Add(-time.Hour), Bytes: 100_000_000_000},
		{ID: "d", Team: "culture", ScannedAt: start.Add(time.Hour), Bytes: 50_000_000_000},
	} {
		s.Source, s.Root = "share", "/srv"
		if _, err := env.Bot.RecordScan(ctx, s); err != nil {
			t.Fatalf("scan %d: %v", i, err)
		}
	}
	srv := httptest.NewServer(httpapi.New(env.Bot, env.Store, nil))
	defer srv.Close()

	tests := []struct {
		name, query string
		status      int
		first       string
	}{
		{"by points", "", 200, "culture"},
		{"by volume", "?by=volume", 200, "routes"},
		{"by percent", "?by=percent", 200, "culture"},
		{"unknown ranking", "?by=speed", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/api/v1/standings" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				var e map[string]string
				if json.NewDecoder(resp.Body).Decode(&e) != nil || e["error"] == "" {
					t.Errorf("want an error naming the field, got %v", e)
				}
				return
			}
			var body httpapi.StandingsJSON
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if len(body.Teams) != 3 || body.Teams[0].Team != tt.first || body.Teams[0].Rank != 1 {
				t.Fatalf("teams: %+v, want %s first", body.Teams, tt.first)
			}
			if body.TotalFreedBytes != 150_000_000_000 {
				t.Errorf("total %d, want 150 Go", body.TotalFreedBytes)
			}
			if body.Equivalences.PDFPages != 975_000 || body.Equivalences.Cabinets != 195 {
				t.Errorf("equivalences %+v, want 975 000 pages and 195 cabinets", body.Equivalences)
			}
			for _, team := range body.Teams {
				if team.Team == "culture" && (team.FreedBytes != 50_000_000_000 || team.BaselineBytes != 100_000_000_000 || team.Percent != 50) {
					t.Errorf("culture: %+v", team)
				}
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	env := bottest.New(t, time.Date(2027, 3, 23, 12, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name   string
		store  httpapi.Pinger
		status int
	}{
		{"store up", env.Store, http.StatusOK},
		{"store down", downStore{}, http.StatusServiceUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpapi.New(env.Bot, tt.store, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
		})
	}
	rec := httptest.NewRecorder()
	httpapi.New(env.Bot, env.Store, nil).ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/standings", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST standings: %d, want 405", rec.Code)
	}
}

// TestExportNeedsTheTokenAndMatchesStandings checks the bearer token on
// the export and that today's rows carry the figures of /api/v1/standings.
func TestExportNeedsTheTokenAndMatchesStandings(t *testing.T) {
	env := bottest.New(t, time.Date(2027, 3, 23, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	start := env.Calendar.Start()
	for _, s := range []scoring.Scan{
		{ID: "a", Team: "routes", ScannedAt: start.Add(-time.Hour), Bytes: 1_000_000_000_000},
		{ID: "b", Team: "routes", ScannedAt: start.Add(26 * time.Hour), Bytes: 870_000_000_000},
	} {
		s.Source, s.Root = "share", "/srv"
		if _, err := env.Bot.RecordScan(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	const token = "s3cret-token-for-the-export"
	api := httpapi.New(env.Bot, env.Store, nil)
	api.EnableExport(env.Bot, token)
	srv := httptest.NewServer(api)
	defer srv.Close()
	get := func(path, auth string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Basic " + token, "Bearer " + token + "x", token} {
		if resp, body := get("/api/v1/export.csv", auth); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" || bytes.Contains(body, []byte(token)) {
			t.Errorf("Authorization %q: %d %s", auth, resp.StatusCode, body)
		}
	}
	if resp, body := get("/api/v1/export.csv?dialect=xml", "Bearer "+token); resp.StatusCode != 400 || !bytes.Contains(body, []byte("dialect")) {
		t.Errorf("bad dialect: %d %s", resp.StatusCode, body)
	}
	if resp, body := get("/api/v1/export.csv", "bearer "+token); resp.StatusCode != 200 {
		t.Errorf("the scheme is case-insensitive: %d %s", resp.StatusCode, body)
	}
	resp, body := get("/api/v1/export.csv?dialect=plain", "Bearer "+token)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("export: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	_, sbody := get("/api/v1/standings", "")
	var st httpapi.StandingsJSON
	if err := json.Unmarshal(sbody, &st); err != nil {
		t.Fatal(err)
	}
	day := recs[len(recs)-1][0]
	if day != "2" || len(recs) != 1+2*len(st.Teams) {
		t.Fatalf("%d rows, last day %s", len(recs)-1, day)
	}
	for _, team := range st.Teams {
		found := false
		for _, r := range recs[1:] {
			if r[0] != day || r[3] != team.Team {
				continue
			}
			found = true
			if r[7] != strconv.FormatInt(team.FreedBytes, 10) || r[11] != strconv.FormatFloat(team.Points, 'f', -1, 64) {
				t.Errorf("%s: export %v; standings %d bytes %v points", team.Team, r, team.FreedBytes, team.Points)
			}
		}
		if !found {
			t.Errorf("no row for %s", team.Team)
		}
	}
	disabled := httpapi.New(env.Bot, env.Store, nil)
	disabled.EnableExport(env.Bot, "")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/export.csv", nil)
	req.Header.Set("Authorization", "Bearer ")
	disabled.ServeHTTP(rec, req)
	if rec.Code != 401 || !bytes.Contains(rec.Body.Bytes(), []byte("GIGABOT_API_TOKEN")) {
		t.Errorf("without a token configured: %d %s", rec.Code, rec.Body)
	}
}

// versionedSource serves standings under a version the test sets.
type versionedSource struct {
	st scoring.Standings
}

func (v *versionedSource) Standings(context.Context) (scoring.Standings, error) { return v.st, nil }
func (v *versionedSource) Equivalences() scoring.Equivalences                   { return scoring.Equivalences{} }

// The JSON of a standings version is encoded once per ranking: the same
// version answers the same body, a new version a new one.
func TestStandingsBodyCachedByVersion(t *testing.T) {
	src := &versionedSource{st: scoring.Standings{Version: "v1", Teams: []scoring.Standing{{Team: scoring.Team{ID: "a"}, Figures: scoring.Figures{FreedBytes: 1}}}}}
	api := httpapi.New(src, nil, nil)
	get := func(q string) string {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/standings"+q, nil))
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", q, rec.Code)
		}
		return rec.Body.String()
	}
	first := get("")
	if !strings.Contains(first, `"freed_bytes":1`) {
		t.Fatalf("first answer %s", first)
	}
	// Same version, other figures (which a real source never does): the
	// cached body answers, proving nothing was encoded again.
	src.st.Teams[0].FreedBytes = 2
	if got := get(""); got != first {
		t.Errorf("same version answered %s, want the cached %s", got, first)
	}
	if got := get("?by=volume"); !strings.Contains(got, `"freed_bytes":2`) || !strings.Contains(got, `"by":"volume"`) {
		t.Errorf("another ranking of the same version: %s", got)
	}
	src.st.Version = "v2"
	if got := get(""); !strings.Contains(got, `"freed_bytes":2`) {
		t.Errorf("a new version answered %s, want the new figures", got)
	}
	src.st.Version = ""
	src.st.Teams[0].FreedBytes = 3
	if got := get(""); !strings.Contains(got, `"freed_bytes":3`) {
		t.Errorf("no version (nothing cached): %s", got)
	}
}
