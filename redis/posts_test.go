package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func claim(t *testing.T, s *redis.Store, key, owner string, lease time.Duration) scoring.ClaimStatus {
	t.Helper()
	st, err := s.ClaimPost(context.Background(), key, owner, lease)
	if err != nil {
		t.Fatalf("ClaimPost(%s, %s): %v", key, owner, err)
	}
	return st
}

func TestClaimPost(t *testing.T) {
	const key = "defi:routes:1"
	type step struct {
		do    string // claim, confirm, release
		owner string
		want  scoring.ClaimStatus // for claim
	}
	tests := []struct {
		name     string
		steps    []step
		wantSent bool
	}{
		{
			name:  "a first claim holds the post",
			steps: []step{{"claim", "bot-a", scoring.Claimed}},
		},
		{
			name:  "a second claim while leased is busy",
			steps: []step{{"claim", "bot-a", scoring.Claimed}, {"claim", "bot-b", scoring.Busy}},
		},
		{
			name:  "the owner claiming again is busy too",
			steps: []step{{"claim", "bot-a", scoring.Claimed}, {"claim", "bot-a", scoring.Busy}},
		},
		{
			name: "a confirmed post is already sent",
			steps: []step{
				{"claim", "bot-a", scoring.Claimed}, {"confirm", "bot-a", 0},
				{"claim", "bot-b", scoring.AlreadySent}, {"claim", "bot-a", scoring.AlreadySent},
			},
			wantSent: true,
		},
		{
			name: "the owner's release makes it claimable again",
			steps: []step{
				{"claim", "bot-a", scoring.Claimed}, {"release", "bot-a", 0},
				{"claim", "bot-b", scoring.Claimed},
			},
		},
		{
			name: "another owner's release does nothing",
			steps: []step{
				{"claim", "bot-a", scoring.Claimed}, {"release", "bot-b", 0},
				{"claim", "bot-b", scoring.Busy},
			},
		},
		{
			name: "releasing a sent post does not unsend it",
			steps: []step{
				{"claim", "bot-a", scoring.Claimed}, {"confirm", "bot-a", 0}, {"release", "bot-a", 0},
				{"claim", "bot-a", scoring.AlreadySent},
			},
			wantSent: true,
		},
		{
			name:  "releasing an unclaimed post does nothing",
			steps: []step{{"release", "bot-a", 0}, {"claim", "bot-b", scoring.Claimed}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _, _ := redistest.NewStore(t)
			for i, st := range tt.steps {
				switch st.do {
				case "claim":
					if got := claim(t, s, key, st.owner, time.Minute); got != st.want {
						t.Errorf("step %d: ClaimPost by %s = %v, want %v", i, st.owner, got, st.want)
					}
				case "confirm":
					if err := s.ConfirmPost(ctx, key, "P42", "defi:1", day1); err != nil {
						t.Fatalf("step %d: ConfirmPost: %v", i, err)
					}
				case "release":
					if err := s.ReleasePost(ctx, key, st.owner); err != nil {
						t.Fatalf("step %d: ReleasePost: %v", i, err)
					}
				}
			}
			id, sent, err := s.PostSent(ctx, key)
			if err != nil {
				t.Fatalf("PostSent: %v", err)
			}
			if sent != tt.wantSent || (sent && id != "P42") {
				t.Errorf("PostSent = %q, %v; want sent=%v as P42", id, sent, tt.wantSent)
			}
		})
	}
}

func TestConfirmPost(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	if st := claim(t, s, "defi:1", "bot-a", time.Minute); st != scoring.Claimed {
		t.Fatalf("ClaimPost = %v", st)
	}
	if err := s.ConfirmPost(ctx, "defi:1", "P7", "defi:1", day1); err != nil {
		t.Fatalf("ConfirmPost: %v", err)
	}
	if err := s.ConfirmPost(ctx, "recap:1", "P8", "", day1.Add(8*time.Hour)); err != nil {
		t.Fatalf("ConfirmPost without ref: %v", err)
	}

	sentTests := []struct {
		key    string
		wantID string
		wantOK bool
	}{
		{"defi:1", "P7", true},
		{"recap:1", "P8", true},
		{"defi:2", "", false},
	}
	for _, tt := range sentTests {
		id, ok, err := s.PostSent(ctx, tt.key)
		if err != nil || id != tt.wantID || ok != tt.wantOK {
			t.Errorf("PostSent(%s) = %q, %v, %v; want %q, %v, nil", tt.key, id, ok, err, tt.wantID, tt.wantOK)
		}
	}
	refTests := []struct {
		postID  string
		wantRef string
		wantOK  bool
	}{
		{"P7", "defi:1", true},
		{"P8", "", false}, // confirmed without a ref
		{"P9", "", false},
	}
	for _, tt := range refTests {
		ref, ok, err := s.PostRef(ctx, tt.postID)
		if err != nil || ref != tt.wantRef || ok != tt.wantOK {
			t.Errorf("PostRef(%s) = %q, %v, %v; want %q, %v, nil", tt.postID, ref, ok, err, tt.wantRef, tt.wantOK)
		}
	}

	entries := auditOf(t, s, "post")
	if len(entries) != 2 {
		t.Fatalf("%d post audit entries, want 2", len(entries))
	}
	checkFields(t, entries[0], map[string]string{"key": "defi:1", "post": "P7", "ref": "defi:1", "at": strconv.FormatInt(time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC).UnixMilli(), 10)})
	checkFields(t, entries[1], map[string]string{"key": "recap:1", "post": "P8", "ref": "", "at": strconv.FormatInt(time.Date(2027, 3, 22, 17, 0, 0, 0, time.UTC).UnixMilli(), 10)})
}

func TestPostSentWhileLeased(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	if st := claim(t, s, "defi:1", "bot-a", time.Minute); st != scoring.Claimed {
		t.Fatalf("ClaimPost = %v", st)
	}
	id, sent, err := s.PostSent(context.Background(), "defi:1")
	if err != nil || sent || id != "" {
		t.Errorf("PostSent of a leased post = %q, %v, %v; want \"\", false, nil", id, sent, err)
	}
}

func TestPostLeaseExpires(t *testing.T) {
	const key = "defi:1"
	t.Run("embedded", func(t *testing.T) {
		srv := miniredis.RunT(t)
		rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { rdb.Close() })
		s := redis.NewStore(rdb, "lease")
		if st := claim(t, s, key, "bot-a", 30*time.Second); st != scoring.Claimed {
			t.Fatalf("ClaimPost = %v", st)
		}
		srv.FastForward(29 * time.Second)
		if st := claim(t, s, key, "bot-b", 30*time.Second); st != scoring.Busy {
			t.Fatalf("ClaimPost before the lease ends = %v, want Busy", st)
		}
		srv.FastForward(2 * time.Second)
		if st := claim(t, s, key, "bot-b", 30*time.Second); st != scoring.Claimed {
			t.Fatalf("ClaimPost after the lease ends = %v, want Claimed", st)
		}
		// The dead owner's late release must not drop the new lease.
		if err := s.ReleasePost(context.Background(), key, "bot-a"); err != nil {
			t.Fatal(err)
		}
		if st := claim(t, s, key, "bot-c", 30*time.Second); st != scoring.Busy {
			t.Errorf("ClaimPost after a stale release = %v, want Busy", st)
		}
	})
	t.Run("real", func(t *testing.T) {
		if _, real := redistest.Redis(t); !real {
			t.Skip("REDIS_URL not set")
		}
		s, _, _ := redistest.NewStore(t)
		const lease = 50 * time.Millisecond
		if st := claim(t, s, key, "bot-a", lease); st != scoring.Claimed {
			t.Fatalf("ClaimPost = %v", st)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			st := claim(t, s, key, "bot-b", time.Minute)
			if st == scoring.Claimed {
				break
			}
			if st != scoring.Busy {
				t.Fatalf("ClaimPost while leased = %v, want Busy", st)
			}
			if time.Now().After(deadline) {
				t.Fatalf("a %v lease still held after 10 s", lease)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if st := claim(t, s, key, "bot-a", lease); st != scoring.Busy {
			t.Errorf("ClaimPost after bot-b took over = %v, want Busy", st)
		}
	})
}

func TestClaimPostConcurrent(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	const n = 20
	statuses := make([]scoring.ClaimStatus, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		// Two replicas, ten attempts each.
		owner := fmt.Sprintf("replica-%d", i%2)
		wg.Go(func() { statuses[i], errs[i] = s.ClaimPost(context.Background(), "defi:3", owner, time.Minute) })
	}
	wg.Wait()
	count := map[scoring.ClaimStatus]int{}
	for i, st := range statuses {
		if errs[i] != nil {
			t.Fatalf("ClaimPost %d: %v", i, errs[i])
		}
		count[st]++
	}
	if count[scoring.Claimed] != 1 || count[scoring.Busy] != n-1 {
		t.Errorf("claims = %v, want exactly 1 Claimed and %d Busy", count, n-1)
	}
}
