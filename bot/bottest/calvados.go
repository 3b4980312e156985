package bottest

import (
	"context"
	"fmt"
	"strings"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// CalvadosYAML is a campaign at the Calvados's size: 28 teams, 3 000
// agents (a0000…a2999, agent a in team a mod 28), a goal of 2 To.
func CalvadosYAML() string {
	var y strings.Builder
	y.WriteString("campaign: {name: Calvados, start: 2027-03-22, days: 15, goal: 2 To}\nroles: {dgs: [dg], coordinators: [coord]}\nteams:\n")
	for t := range 28 {
		fmt.Fprintf(&y, "  - {id: t%02d, name: Équipe %d, channel: c%02d, members: [", t, t, t)
		for a := t; a < 3000; a += 28 {
			if a > t {
				y.WriteString(", ")
			}
			fmt.Fprintf(&y, "a%04d", a)
		}
		y.WriteString("]}\n")
	}
	return y.String()
}

// LoadCalvados records days of a CalvadosYAML campaign in store: each
// day, half the agents do the défi and every team's two roots are scanned
// in the afternoon (on day 10: about 15 000 reactions and 560 scans).
func LoadCalvados(ctx context.Context, store *redis.Store, cal *challenges.Calendar, days int) error {
	for day := 1; day <= days; day++ {
		for a := range 3000 {
			if (a+day)%2 == 0 {
				continue
			}
			team := fmt.Sprintf("t%02d", a%28)
			r := scoring.Reaction{Agent: fmt.Sprintf("a%04d", a), Team: team, Day: day, Post: fmt.Sprint(team, "-", day), At: cal.At(day, cal.DefiAt)}
			if _, err := store.React(ctx, r, true); err != nil {
				return err
			}
		}
		for t := range 28 {
			for root := range 2 {
				at := cal.At(day, challenges.ClockTime{Hour: 16})
				sc := scoring.Scan{ID: fmt.Sprint(t, root, day), Team: fmt.Sprintf("t%02d", t), Source: "share", Root: fmt.Sprint("/r", root),
					ScannedAt: at, Files: 100_000, Bytes: int64(100e9 - day*int(1e9) - t*int(1e8))}
				if _, err := store.RecordScan(ctx, sc, scoring.ScanRules{Start: cal.Start()}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
