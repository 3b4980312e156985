package redis_test

import (
	"context"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestOneCampaignOneSlot runs the store's main operations (every Lua
// script, transaction and pipeline) on one campaign. On a Redis Cluster
// (REDIS_CLUSTER_URL, as in CI) a script or a MULTI whose keys span two
// slots fails with CROSSSLOT, so this passing there is the proof; it also
// checks that every key the campaign wrote hashes to one slot. Elsewhere it
// runs as a plain store test.
func TestOneCampaignOneSlot(t *testing.T) {
	ctx := context.Background()
	s, rdb, id := redistest.NewStore(t)
	cluster, isCluster := rdb.(*goredis.ClusterClient)
	if os.Getenv("REDIS_CLUSTER_URL") != "" && !isCluster {
		t.Fatalf("REDIS_CLUSTER_URL is set but the test store is a %T, not a cluster client", rdb)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("SaveTeams", s.SaveTeams(ctx, "Slots", []scoring.Team{{ID: "routes", Name: "Routes"}, {ID: "rh", Name: "RH"}}))
	after, err := s.LastAuditID(ctx)
	must("LastAuditID", err)

	_, err = s.React(ctx, scoring.Reaction{Agent: "u1", Team: "routes", Day: 1, Post: "p1", At: day1}, true)
	must("React", err)
	_, err = s.React(ctx, scoring.Reaction{Agent: "u2", Team: "rh", Day: 1, Post: "p1", At: day1}, true)
	must("React", err)
	_, err = s.React(ctx, scoring.Reaction{Agent: "u2", Team: "rh", Day: 1, Post: "p1", At: day1.Add(time.Minute)}, false)
	must("React (taken back)", err)

	rules := scoring.ScanRules{Start: day1, HoldDrop: 0.5, Now: day1}
	base := scoring.Scan{ID: "b1", Team: "routes", Source: "share", Root: "/srv/routes", ScannedAt: day1.Add(-time.Hour), Bytes: 10_000}
	_, err = s.RecordScan(ctx, base, rules)
	must("RecordScan (baseline)", err)
	drop := base
	drop.ID, drop.ScannedAt, drop.Bytes = "d1", day1.Add(time.Hour), 100
	rules.Now = drop.ScannedAt
	res, err := s.RecordScan(ctx, drop, rules)
	must("RecordScan (a 99 % drop)", err)
	if res.Status != scoring.ScanHeld {
		t.Fatalf("RecordScan(a 99 %% drop) = %s, want held", res.Status)
	}
	_, _, err = s.DecideScan(ctx, "d1", "admin", true, rules)
	must("DecideScan", err)

	must("Correct", s.Correct(ctx, scoring.Correction{ID: "c1", Team: "rh", Points: 2, Reason: "oubli", By: "admin", Day: 1, At: day1}))
	st, err := s.ClaimPost(ctx, "defi:1:general", "owner-a", time.Minute)
	must("ClaimPost", err)
	if st != scoring.Claimed {
		t.Fatalf("ClaimPost = %v, want claimed", st)
	}
	must("ConfirmPost", s.ConfirmPost(ctx, "defi:1:general", "post-1", "ref-1", day1))
	_, err = s.ClaimDelivery(ctx, "event-1", "owner-a", time.Minute)
	must("ClaimDelivery", err)
	must("FinishDelivery", s.FinishDelivery(ctx, "event-1", time.Hour))
	_, err = s.Snapshot(ctx, 1, day1.Add(8*time.Hour))
	must("Snapshot", err)
	figs, err := s.Figures(ctx)
	must("Figures", err)
	if figs["routes"].FreedBytes != 9_900 {
		t.Errorf("Figures()[routes] = %+v, want 9 900 bytes freed", figs["routes"])
	}
	recs, err := s.AuditAfter(ctx, after, 100)
	must("AuditAfter", err)
	if len(recs) == 0 {
		t.Fatal("AuditAfter: no record")
	}
	waited, err := s.WaitAudit(ctx, after, 100*time.Millisecond)
	must("WaitAudit", err)
	if len(waited) != len(recs) {
		t.Errorf("WaitAudit = %d records, AuditAfter = %d", len(waited), len(recs))
	}
	_, _, _, err = s.TakeToken(ctx, "u1", 5, 10*time.Second, day1)
	must("TakeToken", err)
	_, err = s.RaiseMilestone(ctx, 1000)
	must("RaiseMilestone", err)
	_, err = s.Sequence(ctx, "post")
	must("Sequence", err)
	_, err = s.PersonalData(ctx, "u1")
	must("PersonalData", err)
	_, err = s.Erase(ctx, "u1")
	must("Erase", err)
	_, err = s.React(ctx, scoring.Reaction{Agent: "u1", Team: "routes", Day: 1, Post: "p2", At: day1}, true)
	must("React (erased)", err)
	_, _, err = s.EraseAll(ctx, day1.AddDate(0, 4, 0))
	must("EraseAll", err)

	if !isCluster {
		return
	}
	keys, err := redistest.Keys(ctx, rdb, "gigabot:{"+id+"}:*")
	must("scan the masters", err)
	slots := map[int64][]string{}
	for _, k := range keys {
		slot, err := cluster.ClusterKeySlot(ctx, k).Result()
		must("CLUSTER KEYSLOT", err)
		slots[slot] = append(slots[slot], k)
	}
	if len(slots) != 1 {
		t.Errorf("the campaign's keys span %d slots, want 1: %v", len(slots), slots)
	}
	for slot, keys := range slots {
		t.Logf("%d keys, all in slot %d", len(keys), slot)
	}
}
