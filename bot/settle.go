package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// Reacted is one person's reaction on a post.
type Reacted struct {
	// User is the platform user name, as in Event.User.
	User string
	// Reaction is the emoji name.
	Reaction string
}

// ReactionReader is a chat that lists a post's reactions as the platform
// has them now. SettleDefis reads the latest défi posts with it.
type ReactionReader interface {
	Reactions(ctx context.Context, postID string) ([]Reacted, error)
}

// SettleDefis brings the marks of every team's défi post of the current
// campaign day and of the day before in line with the reactions the
// platform shows on them now: a ✅ given while no replica ran, longer than
// the platform redelivers events, counts, and one taken back is taken off.
// A mark that changed after the platform was read (an event counted
// meanwhile, here or on another replica) is left as the event made it
// (scoring.Reaction.Unless). It returns how many posts it read and
// settled; with a chat that cannot read reactions (no ReactionReader) it
// does nothing.
//
// "gigabot run" calls it when it starts, and again, less and less often,
// while it fails (every post is read again). Known limits: older défis
// are not read, nor the copies of a défi the "defi" command posts, nor,
// on the day a coordinator postponed today's défi, the post it made that
// morning; the mark of an agent erased on request (a pseudonym) is not
// taken back.
func (b *Bot) SettleDefis(ctx context.Context) (int, error) {
	if b.reader == nil {
		return 0, nil
	}
	type defiPost struct {
		id, channel string
		day         int
	}
	n := b.cal.Elapsed(b.clock.Now())
	var errs []error
	var posts []defiPost
	for _, day := range b.cal.Days {
		if day.N < n-1 || day.N > n {
			continue
		}
		keys := []string{dayKey("defi", day)}
		if day.Moved { // the post of its first date holds reactions too
			first := day
			first.Moved = false
			keys = append(keys, dayKey("defi", first))
		}
		for _, team := range b.cfg.Teams {
			for _, key := range keys {
				post, sent, err := b.store.PostSent(ctx, key+":"+team.ID)
				switch {
				case err != nil:
					errs = append(errs, fmt.Errorf("settle the défi of day %d in %s: %w", day.N, team.Channel, err))
				case sent:
					posts = append(posts, defiPost{id: post, channel: team.Channel, day: day.N})
				}
			}
		}
	}
	// The marks are read once, before the posts' reactions: a mark changed
	// since is one a reaction touched after the read, which the settling
	// leaves as it is (settleMark).
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.id
	}
	marked, err := b.store.Marked(ctx, ids...)
	if err != nil {
		errs = append(errs, err)
		posts = nil
	}
	read := 0
	for _, p := range posts {
		if err := b.settlePost(ctx, p.id, p.day, marked[p.id]); err != nil {
			errs = append(errs, fmt.Errorf("settle the défi of day %d in %s: %w", p.day, p.channel, err))
			continue
		}
		read++
	}
	if err := errors.Join(errs...); err != nil {
		b.log.Error("settle the défi posts' reactions", "err", err)
		return read, err
	}
	b.log.Info("the défi posts' reactions are read", "posts", read)
	return read, nil
}

// settleMargin is how long before the read a list is taken to be: a
// reaction counted that close to it, or after it, wins over the list,
// whatever the other replicas' clocks and the platform's caches.
const settleMargin = 10 * time.Second

// settlePost reads a défi post's reactions and settles its marks (marked)
// with them: the agents present with the campaign's emoji are counted, the
// marks of the others taken back, each unless a reaction touched it since
// shortly before the read (settleMargin).
func (b *Bot) settlePost(ctx context.Context, post string, day int, marked []string) error {
	asOf := b.clock.Now().Add(-settleMargin)
	present, err := b.reader.Reactions(ctx, post)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range present {
		if sameEmoji(r.Reaction, b.cfg.Campaign.Reaction) {
			seen[r.User] = true
		}
	}
	counted := map[string]bool{}
	for _, agent := range marked {
		counted[agent] = true
	}
	var errs []error
	for _, user := range slices.Sorted(maps.Keys(seen)) {
		if !counted[user] {
			errs = append(errs, b.settleMark(ctx, user, post, day, asOf, true))
		}
	}
	for _, agent := range marked {
		if !seen[agent] {
			errs = append(errs, b.settleMark(ctx, agent, post, day, asOf, false))
		}
	}
	return errors.Join(errs...)
}

// settleMark adds or takes back an agent's mark on a post, as read at
// asOf; someone in no team (a pseudonym, an outsider) changes nothing.
func (b *Bot) settleMark(ctx context.Context, user, post string, day int, asOf time.Time, add bool) error {
	team, ok, err := b.teamOf(ctx, user)
	if err != nil || !ok {
		return err
	}
	_, err = b.store.React(ctx, scoring.Reaction{Agent: user, Team: team.ID, Day: day, Post: post, At: asOf, Unless: asOf}, add)
	return err
}
