package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/scoring"
)

// fixedSource serves fixed standings.
type fixedSource struct{ st scoring.Standings }

func (f fixedSource) Standings(context.Context) (scoring.Standings, error) { return f.st, nil }
func (f fixedSource) Equivalences() scoring.Equivalences                   { return scoring.Equivalences{} }

// TestStandingsPrevious: with a previous edition the answer has a
// "previous" object (its id, name, total and each team's freed bytes);
// without one, no "previous" key at all.
func TestStandingsPrevious(t *testing.T) {
	last := &scoring.Edition{Campaign: "giga-2026", Name: "Giga 2026", TotalFreed: 1_700_000_000_000,
		Teams: []scoring.EditionTeam{{ID: "routes", Name: "Routes", FreedBytes: 1_000_000_000_000}, {ID: "social", Name: "Social", FreedBytes: 700_000_000_000}}}
	for _, tt := range []struct {
		name     string
		previous *scoring.Edition
		want     any
	}{
		{"last year", last, map[string]any{"campaign": "giga-2026", "name": "Giga 2026", "total_freed_bytes": 1.7e12, "teams": []any{
			map[string]any{"team": "routes", "name": "Routes", "freed_bytes": 1e12},
			map[string]any{"team": "social", "name": "Social", "freed_bytes": 7e11},
		}}},
		{"none", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := fixedSource{scoring.Standings{TotalFreed: 5, Previous: tt.previous}}
			rec := httptest.NewRecorder()
			httpapi.New(src, downStore{}, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/standings", nil))
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
				t.Fatalf("status %d, %v: %s", rec.Code, err, rec.Body)
			}
			got, present := body["previous"]
			if present != (tt.want != nil) || (present && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("previous = %#v (present: %v), want %#v", got, present, tt.want)
			}
			if body["total_freed_bytes"] != 5.0 {
				t.Errorf("total_freed_bytes = %v", body["total_freed_bytes"])
			}
		})
	}
}
