package httpapi_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/scoring"
)

// The standings answer the equivalences with months of data once
// something was scanned: 1,591 To freed of 10 To is a year (doubling in 4
// years), and nothing of it before the first report.
func TestStandingsMonthsOfData(t *testing.T) {
	env := bottest.New(t, time.Date(2027, 3, 23, 12, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(httpapi.New(env.Bot, env.Store, nil))
	defer srv.Close()
	months := func() *float64 {
		t.Helper()
		resp, err := http.Get(srv.URL + "/api/v1/standings")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s httpapi.StandingsJSON
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != 200 {
			t.Fatalf("standings: %d, %v", resp.StatusCode, err)
		}
		return s.Equivalences.MonthsOfData
	}
	if m := months(); m != nil {
		t.Fatalf("months of data before any scan: %v", *m)
	}
	start := env.Calendar.Start()
	for _, s := range []scoring.Scan{
		{ID: "a", Team: "routes", ScannedAt: start.Add(-time.Hour), Bytes: 10_000_000_000_000},
		{ID: "b", Team: "routes", ScannedAt: start.Add(time.Hour), Bytes: 10_000_000_000_000 - 1_591_000_000_000},
	} {
		s.Source, s.Root = "share", "/srv"
		if _, err := env.Bot.RecordScan(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if m := months(); m == nil || math.Abs(*m-12) > 0.01 {
		t.Fatalf("months of data after 1,591 To of 10 To: %v, want 12", m)
	}
}
