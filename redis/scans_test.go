package redis_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// campaignStart is when the campaign of the scan tests starts.
var campaignStart = day1

func mustScan(t testing.TB, s *redis.Store, sc scoring.Scan, start time.Time) scoring.ScanResult {
	t.Helper()
	res, err := s.RecordScan(context.Background(), sc, scoring.ScanRules{Start: start})
	if err != nil {
		t.Fatalf("RecordScan(%s): %v", sc.ID, err)
	}
	return res
}

// report is a scan of root of team, h hours after the campaign start
// (negative: before it).
func report(id, team, root string, h int, bytes int64) scoring.Scan {
	return scoring.Scan{
		ID: id, Team: team, Source: "share", Root: root,
		ScannedAt: campaignStart.Add(time.Duration(h) * time.Hour), Bytes: bytes,
	}
}

// total is the campaign's freed bytes.
func total(t testing.TB, s *redis.Store) int64 {
	t.Helper()
	n, err := s.TotalFreed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordScan(t *testing.T) {
	type step struct {
		scan       scoring.Scan
		wantStatus scoring.ScanStatus
		wantBefore int64
		wantAfter  int64
	}
	mailbox := report("m1", "routes", "alice@cd14.fr", 1, 7_000)
	mailbox.Source = "mailbox"
	sameRootOtherSource := report("s2", "routes", "/srv/r", 2, 500)
	sameRootOtherSource.Source = "mailbox"
	tests := []struct {
		name         string
		steps        []step
		wantFreed    map[string]int64
		wantBaseline map[string]int64
	}{
		{
			name:         "the first report is the baseline",
			steps:        []step{{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0}},
			wantFreed:    map[string]int64{"routes": 0},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "a later smaller report frees the difference",
			steps: []step{
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("b", "routes", "/srv/r", 5, 700), scoring.ScanAccepted, 0, 300},
				{report("c", "routes", "/srv/r", 9, 400), scoring.ScanAccepted, 300, 600},
			},
			wantFreed:    map[string]int64{"routes": 600},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "a duplicate scan id changes nothing",
			steps: []step{
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("b", "routes", "/srv/r", 5, 700), scoring.ScanAccepted, 0, 300},
				{report("b", "routes", "/srv/r", 5, 700), scoring.ScanDuplicate, 300, 300},
				// Same id with other figures: still the same report.
				{report("b", "routes", "/srv/r", 8, 100), scoring.ScanDuplicate, 300, 300},
			},
			wantFreed:    map[string]int64{"routes": 300},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "a report older than the latest is stale",
			steps: []step{
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("c", "routes", "/srv/r", 9, 400), scoring.ScanAccepted, 0, 600},
				{report("b", "routes", "/srv/r", 5, 100), scoring.ScanStale, 600, 600},
				{report("d", "routes", "/srv/r", 9, 200), scoring.ScanStale, 600, 600}, // same time as the latest
			},
			wantFreed:    map[string]int64{"routes": 600},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "an earlier campaign report arriving late becomes the baseline",
			steps: []step{
				{report("b", "routes", "/srv/r", 5, 800), scoring.ScanAccepted, 0, 0},
				{report("c", "routes", "/srv/r", 9, 600), scoring.ScanAccepted, 0, 200},
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 200, 400},
			},
			wantFreed:    map[string]int64{"routes": 400},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "a pre-campaign report arriving late replaces the baseline",
			steps: []step{
				{report("b", "routes", "/srv/r", 5, 800), scoring.ScanAccepted, 0, 0},
				{report("c", "routes", "/srv/r", 9, 600), scoring.ScanAccepted, 0, 200},
				{report("pre", "routes", "/srv/r", -48, 1500), scoring.ScanAccepted, 200, 900},
			},
			wantFreed:    map[string]int64{"routes": 900},
			wantBaseline: map[string]int64{"routes": 1500},
		},
		{
			name: "the last report before the start wins the baseline",
			steps: []step{
				{report("pre2", "routes", "/srv/r", -24, 1200), scoring.ScanAccepted, 0, 0},
				{report("in", "routes", "/srv/r", 5, 1000), scoring.ScanAccepted, 0, 200},
				{report("pre1", "routes", "/srv/r", -72, 5000), scoring.ScanStale, 200, 200},
				{report("pre3", "routes", "/srv/r", -1, 1100), scoring.ScanAccepted, 200, 100},
			},
			wantFreed:    map[string]int64{"routes": 100},
			wantBaseline: map[string]int64{"routes": 1100},
		},
		{
			name: "pre-campaign reports only free nothing until the campaign",
			steps: []step{
				{report("pre1", "routes", "/srv/r", -72, 5000), scoring.ScanAccepted, 0, 0},
				{report("pre2", "routes", "/srv/r", -24, 4000), scoring.ScanAccepted, 0, 0},
				{report("in", "routes", "/srv/r", 5, 3000), scoring.ScanAccepted, 0, 1000},
			},
			wantFreed:    map[string]int64{"routes": 1000},
			wantBaseline: map[string]int64{"routes": 4000},
		},
		{
			name: "a report exactly at the start is a campaign report",
			steps: []step{
				{report("pre", "routes", "/srv/r", -1, 900), scoring.ScanAccepted, 0, 0},
				{report("start", "routes", "/srv/r", 0, 800), scoring.ScanAccepted, 0, 100},
			},
			wantFreed:    map[string]int64{"routes": 100},
			wantBaseline: map[string]int64{"routes": 900},
		},
		{
			name: "the roots of a team add up",
			steps: []step{
				{report("a1", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("b1", "routes", "/srv/archives", 1, 5000), scoring.ScanAccepted, 0, 0},
				{mailbox, scoring.ScanAccepted, 0, 0},
				{report("a2", "routes", "/srv/r", 2, 900), scoring.ScanAccepted, 0, 100},
				{report("b2", "routes", "/srv/archives", 2, 3000), scoring.ScanAccepted, 100, 2100},
			},
			wantFreed:    map[string]int64{"routes": 2100},
			wantBaseline: map[string]int64{"routes": 13_000},
		},
		{
			name: "a root is its source and path",
			steps: []step{
				{report("s1", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{sameRootOtherSource, scoring.ScanAccepted, 0, 0},
			},
			wantFreed:    map[string]int64{"routes": 0},
			wantBaseline: map[string]int64{"routes": 1500},
		},
		{
			name: "two teams are independent",
			steps: []step{
				{report("r1", "routes", "/srv/x", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("c1", "culture", "/srv/x", 1, 800), scoring.ScanAccepted, 0, 0},
				{report("r2", "routes", "/srv/x", 2, 600), scoring.ScanAccepted, 0, 400},
				{report("c2", "culture", "/srv/x", 2, 700), scoring.ScanAccepted, 400, 500},
				// A culture report no newer than its baseline or latest is stale.
				{report("c0", "culture", "/srv/x", 1, 100), scoring.ScanStale, 500, 500},
			},
			wantFreed:    map[string]int64{"routes": 400, "culture": 100},
			wantBaseline: map[string]int64{"routes": 1000, "culture": 800},
		},
		{
			name: "freed goes down when a team adds data",
			steps: []step{
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("b", "routes", "/srv/r", 2, 600), scoring.ScanAccepted, 0, 400},
				{report("c", "routes", "/srv/r", 3, 900), scoring.ScanAccepted, 400, 100},
				{report("d", "routes", "/srv/r", 4, 1300), scoring.ScanAccepted, 100, -300},
			},
			wantFreed:    map[string]int64{"routes": -300},
			wantBaseline: map[string]int64{"routes": 1000},
		},
		{
			name: "an empty root is a valid report",
			steps: []step{
				{report("a", "routes", "/srv/r", 1, 1000), scoring.ScanAccepted, 0, 0},
				{report("b", "routes", "/srv/r", 2, 0), scoring.ScanAccepted, 0, 1000},
			},
			wantFreed:    map[string]int64{"routes": 1000},
			wantBaseline: map[string]int64{"routes": 1000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _, _ := redistest.NewStore(t)
			accepted := 0
			for i, st := range tt.steps {
				before := total(t, s)
				res := mustScan(t, s, st.scan, campaignStart)
				if after := total(t, s); res.Status != st.wantStatus || before != st.wantBefore || after != st.wantAfter {
					t.Errorf("step %d (%s): %s, total %d → %d; want %s, %d → %d", i, st.scan.ID, res.Status, before, after,
						st.wantStatus, st.wantBefore, st.wantAfter)
				}
				if st.wantStatus == scoring.ScanAccepted {
					accepted++
				}
			}
			f := figures(t, s)
			var sum int64
			for team, want := range tt.wantFreed {
				if got := f[team].FreedBytes; got != want {
					t.Errorf("%s freed = %d, want %d", team, got, want)
				}
				sum += want
			}
			for team, want := range tt.wantBaseline {
				if got := f[team].BaselineBytes; got != want {
					t.Errorf("%s baseline = %d, want %d", team, got, want)
				}
			}
			if total, err := s.TotalFreed(ctx); err != nil || total != sum {
				t.Errorf("TotalFreed = %d, %v; want %d", total, err, sum)
			}
			if got := auditOf(t, s, "scan"); len(got) != accepted {
				t.Errorf("%d scan audit entries, want one per accepted report (%d)", len(got), accepted)
			}
		})
	}
}

func TestRecordScanAudit(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	first := report("a", "routes", "/srv/r", -2, 1000)
	late := report("pre", "routes", "/srv/r", -1, 1200)
	mustScan(t, s, first, campaignStart)
	mustScan(t, s, report("b", "routes", "/srv/r", 3, 700), campaignStart)
	mustScan(t, s, late, campaignStart)
	entries := auditOf(t, s, "scan")
	if len(entries) != 3 {
		t.Fatalf("%d scan audit entries, want 3", len(entries))
	}
	checkFields(t, entries[0], map[string]string{
		"scan_id": "a", "team": "routes", "root": "/srv/r", "source": "share",
		"at": strconv.FormatInt(first.ScannedAt.UnixMilli(), 10), "bytes": "1000",
	})
	checkFields(t, entries[1], map[string]string{"scan_id": "b", "bytes": "700"})
	checkFields(t, entries[2], map[string]string{"scan_id": "pre", "bytes": "1200"})
}

func TestLatestScans(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	share := func(id string, h int, bytes, dup int64) scoring.Scan {
		sc := report(id, "routes", "/srv/r", h, bytes)
		sc.Files, sc.DuplicateBytes, sc.StaleBytes, sc.LargeBytes = bytes/10, dup, 2*dup, 3*dup
		return sc
	}
	box := report("m1", "routes", "alice", 1, 50)
	box.Source = "mailbox"
	for _, sc := range []scoring.Scan{
		share("s1", 1, 1000, 100),
		share("s3", 9, 600, 30),
		share("s2", 5, 800, 70), // stale: older than s3
		box,
		report("other", "culture", "/srv/c", 1, 10),
	} {
		mustScan(t, s, sc, campaignStart)
	}

	tests := []struct {
		team string
		want []scoring.Scan
	}{
		{"routes", []scoring.Scan{box, share("s3", 9, 600, 30)}},
		{"culture", []scoring.Scan{report("other", "culture", "/srv/c", 1, 10)}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.team, func(t *testing.T) {
			got, err := s.LatestScans(ctx, tt.team)
			if err != nil {
				t.Fatalf("LatestScans: %v", err)
			}
			slices.SortFunc(got, func(a, b scoring.Scan) int { return cmp.Compare(a.ID, b.ID) })
			if len(got) != len(tt.want) {
				t.Fatalf("LatestScans(%s) = %+v, want %+v", tt.team, got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !g.ScannedAt.Equal(w.ScannedAt) {
					t.Errorf("scan %s at %v, want %v", g.ID, g.ScannedAt, w.ScannedAt)
				}
				g.ScannedAt, w.ScannedAt = time.Time{}, time.Time{}
				if g != w {
					t.Errorf("LatestScans(%s)[%d] = %+v, want %+v", tt.team, i, g, w)
				}
			}
		})
	}
}

func TestRecordScanLargeValues(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	// 3 Po and 120 To, with odd bytes that a float64 rounding to 15 digits would lose.
	const (
		bigBase   = 3_000_000_000_000_001
		bigLatest = 1_234_567_890_123_457
		tbBase    = 120_000_000_000_007
		tbLatest  = 1
	)
	steps := []scoring.Scan{
		report("big1", "routes", "/srv/big", -1, bigBase),
		report("big2", "routes", "/srv/big", 1, bigLatest),
		report("tb1", "culture", "/srv/tb", 1, tbBase),
		report("tb2", "culture", "/srv/tb", 2, tbLatest),
	}
	for _, sc := range steps {
		if res := mustScan(t, s, sc, campaignStart); res.Status != scoring.ScanAccepted {
			t.Fatalf("RecordScan(%s) = %s", sc.ID, res.Status)
		}
	}
	want := map[string]scoring.Figures{
		"routes":  {FreedBytes: bigBase - bigLatest, BaselineBytes: bigBase},
		"culture": {FreedBytes: tbBase - tbLatest, BaselineBytes: tbBase},
	}
	f := figures(t, s)
	for team, w := range want {
		if f[team] != w {
			t.Errorf("%s = %+v, want %+v", team, f[team], w)
		}
	}
	total, err := s.TotalFreed(ctx)
	if wantTotal := int64(bigBase - bigLatest + tbBase - tbLatest); err != nil || total != wantTotal {
		t.Errorf("TotalFreed = %d, %v; want %d", total, err, wantTotal)
	}
	latest, err := s.LatestScans(ctx, "routes")
	if err != nil || len(latest) != 1 || latest[0].Bytes != bigLatest {
		t.Errorf("LatestScans(routes) = %+v, %v; want bytes %d", latest, err, bigLatest)
	}
}

func TestRecordScanLargeTotals(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	steps := []struct {
		scan        scoring.Scan
		want        scoring.ScanStatus
		total       int64
		description string
	}{
		{report("a", "routes", "/srv/r", 1, 300_000_000_000_000), scoring.ScanAccepted, 0, "baseline"},
		{report("b", "routes", "/srv/r", 2, 100_000_000_000_000), scoring.ScanAccepted, 200_000_000_000_000, "200 To freed"},
		{report("c", "routes", "/srv/r", 3, 76_543_210_987_655), scoring.ScanAccepted, 223_456_789_012_345, "odd total"},
		{report("c", "routes", "/srv/r", 3, 76_543_210_987_655), scoring.ScanDuplicate, 223_456_789_012_345, "duplicate"},
		{report("d", "routes", "/srv/r", 2, 1), scoring.ScanStale, 223_456_789_012_345, "stale"},
	}
	for _, st := range steps {
		if got := mustScan(t, s, st.scan, campaignStart); got.Status != st.want || total(t, s) != st.total {
			t.Errorf("%s: RecordScan = %+v, total %d; want %s, %d", st.description, got, total(t, s), st.want, st.total)
		}
	}
}

func TestRecordScanConcurrentOutOfOrder(t *testing.T) {
	tests := []struct {
		name     string
		preStart bool
	}{
		{"baseline is the earliest report", false},
		{"baseline is the last report before the start", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _, _ := redistest.NewStore(t)
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 60
			var scans []scoring.Scan
			for i := range n {
				h := i + 1
				if tt.preStart && i < 5 {
					h = i - 10 // five reports before the start, the last at -6 h
				}
				scans = append(scans, report(fmt.Sprintf("r%02d", i), "routes", "/srv/r", h, int64(10_000+rng.IntN(5_000))))
			}
			// Another root and another team, to check the sums.
			scans = append(scans,
				report("o1", "routes", "/srv/other", 1, 900), report("o2", "routes", "/srv/other", 2, 500),
				report("c1", "culture", "/srv/c", 1, 300), report("c2", "culture", "/srv/c", 2, 100))
			base := scans[0].Bytes
			if tt.preStart {
				base = scans[4].Bytes
			}
			latest := scans[n-1].Bytes

			shuffled := slices.Clone(scans)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			var wg sync.WaitGroup
			errs := make(chan error, len(shuffled))
			for _, sc := range shuffled {
				wg.Go(func() {
					if _, err := s.RecordScan(ctx, sc, scoring.ScanRules{Start: campaignStart}); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("RecordScan: %v", err)
			}

			f := figures(t, s)
			want := map[string]scoring.Figures{
				"routes":  {FreedBytes: base - latest + 400, BaselineBytes: base + 900},
				"culture": {FreedBytes: 200, BaselineBytes: 300},
			}
			var sum int64
			for team, w := range want {
				if f[team] != w {
					t.Errorf("%s = %+v, want %+v", team, f[team], w)
				}
				sum += f[team].FreedBytes
			}
			if total, err := s.TotalFreed(ctx); err != nil || total != sum {
				t.Errorf("TotalFreed = %d, %v; want the sum of the teams, %d", total, err, sum)
			}
			got, err := s.LatestScans(ctx, "routes")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, sc := range got {
				if sc.Root == "/srv/r" {
					found = true
					if sc.ID != scans[n-1].ID {
						t.Errorf("latest scan of /srv/r is %s, want %s", sc.ID, scans[n-1].ID)
					}
				}
			}
			if !found {
				t.Errorf("no latest scan of /srv/r among %+v", got)
			}
		})
	}
}

func TestRecordScanConcurrentSameReport(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	mustScan(t, s, report("base", "routes", "/srv/r", 1, 1000), campaignStart)
	sc := report("dup", "routes", "/srv/r", 2, 400)
	const n = 20
	results := make([]scoring.ScanResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = s.RecordScan(context.Background(), sc, scoring.ScanRules{Start: campaignStart})
		})
	}
	wg.Wait()
	count := map[scoring.ScanStatus]int{}
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("RecordScan %d: %v", i, errs[i])
		}
		count[res.Status]++
	}
	if count[scoring.ScanAccepted] != 1 || count[scoring.ScanDuplicate] != n-1 {
		t.Errorf("statuses = %v, want 1 accepted and %d duplicate", count, n-1)
	}
	if got := figures(t, s)["routes"].FreedBytes; got != 600 {
		t.Errorf("freed = %d, want 600", got)
	}
	if total, err := s.TotalFreed(context.Background()); err != nil || total != 600 {
		t.Errorf("TotalFreed = %d, %v; want 600", total, err)
	}
}
