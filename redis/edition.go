package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// ErrNoCampaign is returned by Edition for a campaign of which the Redis
// holds nothing.
var ErrNoCampaign = errors.New("no such campaign in this Redis")

// maxEditionDays bounds the daily snapshots Edition reads
// (campaign.days is at most 60).
const maxEditionDays = 60

// Edition reads the store's campaign as a past edition: its name and
// teams (SaveTeams), what each team freed, and its total at the end of
// each day (Snapshot). Returns ErrNoCampaign when the Redis holds neither
// its name nor any figure of it: a campaign.previous with a typo.
func (s *Store) Edition(ctx context.Context) (scoring.Edition, error) {
	var name *goredis.StringCmd
	var teams *goredis.MapStringStringCmd
	snaps := make([]*goredis.MapStringStringCmd, maxEditionDays)
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		name = p.HGet(ctx, s.key("meta"), "name")
		teams = p.HGetAll(ctx, s.key("teams"))
		for d := range snaps {
			snaps[d] = p.HGetAll(ctx, s.key("snap", strconv.Itoa(d+1)))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return scoring.Edition{}, fmt.Errorf("read campaign %s: %w", s.campaign(), err)
	}
	figs, err := s.Figures(ctx)
	if err != nil {
		return scoring.Edition{}, fmt.Errorf("read campaign %s: %w", s.campaign(), err)
	}
	e := scoring.Edition{Campaign: s.campaign(), Name: name.Val()}
	if e.Name == "" && len(teams.Val()) == 0 && len(figs) == 0 {
		return e, fmt.Errorf("campaign %s: %w", e.Campaign, ErrNoCampaign)
	}
	names := map[string]string{}
	for id, raw := range teams.Val() {
		var t scoring.Team
		if json.Unmarshal([]byte(raw), &t) == nil {
			names[id] = t.Name
		}
		if _, ok := figs[id]; !ok {
			figs[id] = scoring.Figures{}
		}
	}
	for id, f := range figs {
		n := names[id]
		if n == "" {
			n = id
		}
		e.Teams = append(e.Teams, scoring.EditionTeam{ID: id, Name: n, FreedBytes: f.FreedBytes})
		e.TotalFreed += f.FreedBytes
	}
	sort.Slice(e.Teams, func(i, j int) bool {
		if e.Teams[i].FreedBytes != e.Teams[j].FreedBytes {
			return e.Teams[i].FreedBytes > e.Teams[j].FreedBytes
		}
		return e.Teams[i].ID < e.Teams[j].ID
	})
	for _, snap := range snaps {
		if len(snap.Val()) == 0 {
			break
		}
		var total int64
		for k, v := range snap.Val() {
			if team, ok := strings.CutPrefix(k, "freed:"); ok && team != "" {
				n, _ := strconv.ParseInt(v, 10, 64)
				total += n
			}
		}
		e.DayTotals = append(e.DayTotals, total)
	}
	return e, nil
}
