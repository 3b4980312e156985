package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gigabot/gigabot/scoring"
)

// Testimonies keeps the agents' testimonies, shared by every replica (the
// store fits).
type Testimonies interface {
	// AddTestimony records a testimony; the same words from the same agent
	// again return the one kept, and isNew false.
	AddTestimony(ctx context.Context, team, agent, text string, at time.Time) (t scoring.Testimony, isNew bool, err error)
	// Testimonies returns those kept, oldest first.
	Testimonies(ctx context.Context) ([]scoring.Testimony, error)
	// WithdrawTestimony removes one; false when none has that id.
	WithdrawTestimony(ctx context.Context, id, by string, at time.Time) (scoring.Testimony, bool, error)
	// PickTestimonies fixes, once per date, up to n never shown before.
	PickTestimonies(ctx context.Context, date string, n int) ([]scoring.Testimony, error)
}

// The bounds of a testimony, in characters: a sentence or two, not a tweet
// of three words nor a page.
const (
	testimonyMin = 20
	testimonyMax = 500
	// testimoniesPerRecap is how many a day's recap shows.
	testimoniesPerRecap = 2
	// testimoniesOnBoard is how many of the latest the dashboard shows.
	testimoniesOnBoard = 12
)

// errNoTestimonies is the error of a testimony command on a store that
// cannot keep them.
var errNoTestimonies = errors.New("testimonies: the store cannot keep them")

// cmdTestimony records a good practice an agent shares for their team
// ("temoignage On vide la corbeille le vendredi").
func (b *Bot) cmdTestimony(ctx context.Context, ev Event, args string) error {
	if b.testimonies == nil {
		return errNoTestimonies
	}
	text := strings.Join(strings.Fields(args), " ")
	if text == "" {
		return b.reply(ctx, ev, b.loc.T("usage", "temoignage <texte>"))
	}
	if n := utf8.RuneCountInString(text); n < testimonyMin || n > testimonyMax {
		return b.reply(ctx, ev, b.loc.T("testimony.length", n, testimonyMin, testimonyMax))
	}
	team, ok, err := b.teamOf(ctx, ev.User)
	if err != nil {
		return err
	}
	if !ok {
		return b.reply(ctx, ev, b.loc.T("testimony.no_team"))
	}
	t, isNew, err := b.testimonies.AddTestimony(ctx, team.ID, ev.User, text, b.clock.Now())
	if err != nil {
		return fmt.Errorf("testimony: %w", err)
	}
	if !isNew {
		return b.reply(ctx, ev, b.loc.T("testimony.already", t.ID))
	}
	return b.reply(ctx, ev, b.loc.T("testimony.thanks", t.ID, team.Name))
}

// cmdWithdraw withdraws a testimony ("retirer T3"), a coordinator's call.
func (b *Bot) cmdWithdraw(ctx context.Context, ev Event, args string) error {
	if b.testimonies == nil {
		return errNoTestimonies
	}
	id := strings.ToUpper(strings.TrimSpace(args))
	if id == "" || strings.ContainsAny(id, " \t") {
		return b.reply(ctx, ev, b.loc.T("usage", "retirer <T12>"))
	}
	t, ok, err := b.testimonies.WithdrawTestimony(ctx, id, ev.User, b.clock.Now())
	if err != nil {
		return fmt.Errorf("withdraw: %w", err)
	}
	if !ok {
		return b.reply(ctx, ev, b.loc.T("testimony.unknown", quote(id)))
	}
	b.log.Info("testimony withdrawn", "id", t.ID, "team", t.Team, "by", ev.User)
	return b.reply(ctx, ev, b.loc.T("testimony.withdrawn", t.ID, b.teamName(t.Team)))
}

// testimonyText is a testimony as posts quote it (cmdTestimony kept it on
// one line): pinging nobody, signed with its team (never its author: the
// team shares it).
func (b *Bot) testimonyText(t scoring.Testimony) string {
	return b.loc.T("testimony.line", Neutralise(t.Text), b.teamName(t.Team))
}

// recapTestimonies are the lines of the testimonies a day's recap shows:
// up to two never shown before, the same whichever replica asks.
func (b *Bot) recapTestimonies(ctx context.Context, date string) ([]string, error) {
	if b.testimonies == nil {
		return nil, nil
	}
	picked, err := b.testimonies.PickTestimonies(ctx, date, testimoniesPerRecap)
	if err != nil || len(picked) == 0 {
		return nil, err
	}
	lines := []string{b.loc.T("testimony.header")}
	for _, t := range picked {
		lines = append(lines, b.testimonyText(t))
	}
	return lines, nil
}

// BoardTestimony is a testimony as the dashboard and the report show it.
type BoardTestimony struct {
	ID       string `json:"id"`
	Team     string `json:"team"`
	TeamName string `json:"team_name"`
	Text     string `json:"text"`
}

// boardTestimonies are the latest testimonies, newest first.
func (b *Bot) boardTestimonies(ctx context.Context, limit int) ([]BoardTestimony, error) {
	out := []BoardTestimony{}
	if b.testimonies == nil {
		return out, nil
	}
	all, err := b.testimonies.Testimonies(ctx)
	if err != nil {
		return out, err
	}
	for i := len(all) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		t := all[i]
		out = append(out, BoardTestimony{ID: t.ID, Team: t.Team, TeamName: b.teamName(t.Team), Text: t.Text})
	}
	return out, nil
}
