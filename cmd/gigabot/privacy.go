package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
)

// The retention job erases through the Redis store.
var _ bot.Eraser = (*redis.Store)(nil)

// privacyExport is what `gigabot privacy export` prints: what the store
// keeps about a person, and what the configuration says of them.
type privacyExport struct {
	redis.PersonalData
	Config configEntry `json:"config"`
}

// configEntry is what the campaign's configuration (and its roster) says
// of a person.
type configEntry struct {
	Team        string   `json:"team,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
}

// privacy runs `gigabot privacy export|erase --config FILE USER`.
func (m *Main) privacy(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return errors.New("privacy: want `privacy export --config FILE USER` or `privacy erase --config FILE USER`")
	}
	verb := args[0]
	fs := m.flags("privacy " + verb)
	path := fs.String("config", "", "the campaign's configuration `FILE`")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("privacy %s: want one USER after the flags, got %d argument(s): %q", verb, fs.NArg(), fs.Args())
	}
	if *path == "" {
		return fmt.Errorf("privacy %s: --config FILE is required", verb)
	}
	user := fs.Arg(0)
	if err := checkUser(user); err != nil {
		return fmt.Errorf("privacy %s: %w", verb, err)
	}
	cfg, err := challenges.Load(*path)
	if err != nil {
		return err
	}
	store, closeStore, err := m.existingStore(ctx, cfg, "privacy "+verb)
	if err != nil {
		return err
	}
	defer closeStore()
	inConfig := configOf(cfg, user)
	if verb == "export" {
		data, err := store.PersonalData(ctx, user)
		if err != nil {
			return err
		}
		if data.Empty() && inConfig.Team == "" && len(inConfig.Roles) == 0 {
			return fmt.Errorf("privacy export: nothing is kept about %q in campaign %s, and the configuration does not name them (user names as the chat platform gives them)", user, cfg.Campaign.ID)
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(privacyExport{PersonalData: data, Config: inConfig})
	}
	e, err := store.Erase(ctx, user)
	if errors.Is(err, redis.ErrNothingKept) {
		return fmt.Errorf("privacy erase: nothing is kept about %q in campaign %s: nothing erased (user names as the chat platform gives them)", user, cfg.Campaign.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s erased from campaign %s: %d keys or fields and %d log entries now name %s; no team figure changed\n",
		user, cfg.Campaign.ID, e.Keys, e.Log, e.Pseudonym)
	if inConfig.Team != "" || len(inConfig.Roles) > 0 {
		fmt.Fprintf(m.Stdout, "%s is still in the configuration (team %q, roles %v): remove them there (or from the roster) so that nothing new is recorded about them\n",
			user, inConfig.Team, inConfig.Roles)
	}
	return nil
}

// checkUser refuses what cannot be a chat user name. The store separates
// a name from the rest of a field with ':', which only a full Matrix user
// id ("@dave:example.fr") may hold.
func checkUser(user string) error {
	switch {
	case strings.TrimSpace(user) == "":
		return errors.New("USER is empty")
	case len(user) > 256:
		return fmt.Errorf("USER is %d bytes long: not a user name", len(user))
	case strings.ContainsRune(user, ':') && !strings.HasPrefix(user, "@"),
		strings.IndexFunc(user, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("USER %q is not a user name (no spaces, control characters, or ':' outside a Matrix id)", user)
	}
	return nil
}

// configOf returns what the configuration says of user.
func configOf(cfg *challenges.Config, user string) configEntry {
	var c configEntry
	if t, ok := cfg.TeamOf(user); ok {
		c.Team = t.ID
	}
	if slices.Contains(cfg.Roles.DGS, user) {
		c.Roles = append(c.Roles, "dgs")
	}
	if slices.Contains(cfg.Roles.Coordinators, user) {
		c.Roles = append(c.Roles, "coordinators")
	}
	c.DisplayName = cfg.DisplayNames[user]
	return c
}
