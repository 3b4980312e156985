package redis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gigabot/gigabot/scoring"
)

// rootKey names one scanned root of one team.
type rootKey struct{ team, root string }

// rootBytes is a root's baseline and latest size, as the audit replays them.
type rootBytes struct{ baseline, latest int64 }

// Rebuild recomputes every team's figures from the audit stream alone,
// replaying each participation, scan and correction in order. Comparing the
// result with scoring.Figures audits the live counters.
func (s *Store) Rebuild(ctx context.Context) (map[string]scoring.Figures, error) {
	roots := map[rootKey]*rootBytes{}
	out := map[string]scoring.Figures{}
	const page = 1000
	for last := ""; ; {
		entries, err := s.AuditAfter(ctx, last, page)
		if err != nil {
			return nil, fmt.Errorf("rebuild: %w", err)
		}
		for _, e := range entries {
			if err := replay(e.Fields, out, roots); err != nil {
				return nil, fmt.Errorf("rebuild: entry %s: %w", e.ID, err)
			}
		}
		if len(entries) < page {
			break
		}
		last = entries[len(entries)-1].ID
	}
	for k, r := range roots {
		f := out[k.team]
		f.FreedBytes += r.baseline - r.latest
		f.BaselineBytes += r.baseline
		out[k.team] = f
	}
	return out, nil
}

// replay applies one audit entry.
func replay(fields map[string]string, out map[string]scoring.Figures, roots map[rootKey]*rootBytes) error {
	v := func(k string) string { return fields[k] }
	team := v("team")
	f := out[team]
	switch v("type") {
	case "participation":
		d, err := strconv.ParseInt(v("delta"), 10, 64)
		if err != nil {
			return fmt.Errorf("delta: %w", err)
		}
		f.Participations += d
	case "correction":
		p, err := strconv.ParseFloat(v("points"), 64)
		if err != nil {
			return fmt.Errorf("points: %w", err)
		}
		f.Corrections += p
	case "scan":
		b, err := strconv.ParseInt(v("bytes"), 10, 64)
		if err != nil {
			return fmt.Errorf("bytes: %w", err)
		}
		k := rootKey{team, v("source") + ":" + v("root")}
		if roots[k] == nil {
			roots[k] = &rootBytes{}
		}
		if v("baseline") == "true" {
			roots[k].baseline = b
		}
		if v("latest") == "true" {
			roots[k].latest = b
		}
	default: // posts and other entries carry no score
		return nil
	}
	out[team] = f
	return nil
}
