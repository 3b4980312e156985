package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gigabot/gigabot/scoring"
)

// Standings computes every team's scores now, cached by the state of the
// figures. Every change of a figure is logged in the same step as the
// change. While Follow runs, it counts every record logged by any replica
// and every change this process made, so a request costs no Redis round
// trip at all while nothing changed; without Follow, the state is the
// log's length, one round trip, as a health check.
func (b *Bot) Standings(ctx context.Context) (scoring.Standings, error) {
	key := standingsKey{elapsed: b.cal.Elapsed(b.clock.Now())}
	// A channel team's size changes without a record in the log: it is
	// read each time, and is part of the state.
	teams, err := b.rankedTeams(ctx)
	if err != nil {
		return scoring.Standings{}, fmt.Errorf("standings: %w", err)
	}
	if b.members != nil {
		key.sizes = sizesKey(teams)
	}
	if b.following.Load() {
		key.changes = b.changes.Load()
	} else {
		n, err := b.store.LogLength(ctx)
		if err != nil {
			return scoring.Standings{}, fmt.Errorf("standings: %w", err)
		}
		key.records = n
	}
	if c := b.standings.Load(); c != nil && c.key == key {
		return c.st, nil
	}
	figs, err := b.store.Figures(ctx)
	if err != nil {
		return scoring.Standings{}, fmt.Errorf("standings: %w", err)
	}
	st := scoring.Compute(teams, figs, b.weights, key.elapsed)
	// What a team freed before it left the config (retired_teams) stays
	// freed: it counts in the campaign's total, as in the milestones,
	// though the team is no longer ranked.
	for id, f := range figs {
		if _, ok := b.cfg.Team(id); !ok {
			st.TotalFreed += f.FreedBytes
			st.TotalScanned += f.BaselineBytes
		}
	}
	st.Version = key.String()
	st.Previous = b.previous
	// Figures read after the key may hold newer changes: caching them under
	// it is harmless, the next change moves the key.
	b.standings.Store(&cachedStandings{key: key, st: st})
	return st, nil
}

// cachedStandings are standings and the state they were computed at.
type cachedStandings struct {
	key standingsKey
	st  scoring.Standings
}

// standingsKey names a state of the figures: the changes Follow counted
// (while it runs) or the log's length (otherwise), and the campaign days
// elapsed, which bound participation.
type standingsKey struct {
	changes, records int64
	elapsed          int
	// sizes are the channel teams' sizes (sizesKey), if any.
	sizes string
}

func (k standingsKey) String() string {
	return "c" + strconv.FormatInt(k.changes, 10) + "r" + strconv.FormatInt(k.records, 10) + "d" + strconv.Itoa(k.elapsed) + k.sizes
}

// sizesKey names the teams' sizes ("s4.2.1").
func sizesKey(teams []scoring.Team) string {
	var b strings.Builder
	sep := "s"
	for _, t := range teams {
		b.WriteString(sep + strconv.Itoa(t.Members))
		sep = "."
	}
	return b.String()
}

// changeCounter is the bot's store: it counts the changes this process
// makes, as soon as the store has them, so that the standings it serves
// never miss its own writes while Follow catches the other replicas'.
type changeCounter struct {
	Store
	changes *atomic.Int64
}

func (c changeCounter) React(ctx context.Context, r scoring.Reaction, add bool) (int, error) {
	n, err := c.Store.React(ctx, r, add)
	c.changes.Add(1)
	return n, err
}

func (c changeCounter) RecordScan(ctx context.Context, sc scoring.Scan, rules scoring.ScanRules) (scoring.ScanResult, error) {
	res, err := c.Store.RecordScan(ctx, sc, rules)
	c.changes.Add(1)
	return res, err
}

func (c changeCounter) Correct(ctx context.Context, cr scoring.Correction) error {
	err := c.Store.Correct(ctx, cr)
	c.changes.Add(1)
	return err
}

func (c changeCounter) DecideScan(ctx context.Context, id, by string, accept bool, rules scoring.ScanRules) (scoring.HeldScan, scoring.ScanResult, error) {
	h, res, err := c.Store.DecideScan(ctx, id, by, accept, rules)
	c.changes.Add(1)
	return h, res, err
}
