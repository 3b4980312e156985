package challenges

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MembersFromChannel is the value of a team's members key that makes the
// team's agents the members of its chat channel ("members: channel"),
// whom the chat platform tells, instead of a list.
const MembersFromChannel = "channel"

// maxRosterBytes bounds a roster file: 3 000 agents take about 100 Ko.
const maxRosterBytes = 16 << 20

// teamYAML is a team as the file writes it: members is a list of user
// names or the word "channel".
type teamYAML struct {
	ID       string        `yaml:"id"`
	Name     string        `yaml:"name"`
	Channel  string        `yaml:"channel"`
	Members  memberSetting `yaml:"members"`
	Managers []string      `yaml:"managers"`
}

// memberSetting is a team's members key: a list, or "channel".
type memberSetting struct {
	names       []string
	fromChannel bool
	// word is a scalar other than "channel", refused by validation with
	// its line (an error from here would carry no position).
	word *string
}

// UnmarshalYAML reads a list of user names or the word "channel".
func (m *memberSetting) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		if strings.TrimSpace(s) == MembersFromChannel {
			m.fromChannel = true
		} else {
			m.word = &s
		}
		return nil
	}
	return unmarshal(&m.names)
}

// UnmarshalYAML reads a team, whose members may be "channel".
func (t *Team) UnmarshalYAML(unmarshal func(any) error) error {
	var y teamYAML
	if err := unmarshal(&y); err != nil {
		return err
	}
	*t = Team{ID: y.ID, Name: y.Name, Channel: y.Channel, Members: y.Members.names, Managers: y.Managers,
		MembersFromChannel: y.Members.fromChannel, badMembers: y.Members.word}
	return nil
}

// MarshalYAML writes a team as its file did: "members: channel", or the
// members the file lists (not those the roster file added, which the
// roster key reads again).
func (t Team) MarshalYAML() (any, error) {
	var members any = t.Members[:len(t.Members)-t.fromRoster]
	if t.MembersFromChannel {
		members = MembersFromChannel
	}
	return struct {
		ID       string   `yaml:"id"`
		Name     string   `yaml:"name"`
		Channel  string   `yaml:"channel"`
		Members  any      `yaml:"members"`
		Managers []string `yaml:"managers,omitempty"`
	}{t.ID, t.Name, t.Channel, members, t.Managers}, nil
}

// readRoster adds the rows of the roster file (roster: FILE, relative to
// dir, the config file's folder) to the teams' members. Every bad row is
// a problem naming the file and its line; a team's members come from the
// YAML or the roster, an agent from one of them only.
func (c *Config) readRoster(dir string) []Problem {
	if c.Roster == "" {
		return nil
	}
	path := c.Roster
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	rows, problems := ReadRosterFile(path)
	if len(problems) > 0 {
		for i := range problems {
			problems[i].File = c.Roster // as the config names it
		}
		return problems
	}
	teams := map[string]int{}
	listed := map[string]string{} // folded name → where it is listed
	for i, t := range c.Teams {
		teams[t.ID] = i
		for _, m := range t.Members {
			listed[strings.ToLower(m)] = fmt.Sprintf("in teams[%d].members (team %q)", i, t.ID)
		}
	}
	add := map[int][]string{}
	for _, r := range rows {
		bad := func(format string, args ...any) {
			problems = append(problems, Problem{Field: "roster", File: c.Roster, Line: r.Line, Message: fmt.Sprintf(format, args...)})
		}
		i, ok := teams[r.Team]
		switch {
		case !ok:
			bad("unknown team %q (teams: %s)", r.Team, c.teamList())
			continue
		case c.Teams[i].MembersFromChannel:
			bad("team %q takes its members from its channel (members: channel): remove %q from the roster or give the team a list", r.Team, r.User)
			continue
		}
		if where, dup := listed[strings.ToLower(r.User)]; dup {
			bad("%q is already listed %s: an agent belongs to one team, once", r.User, where)
			continue
		}
		listed[strings.ToLower(r.User)] = fmt.Sprintf("at line %d (team %q)", r.Line, r.Team)
		add[i] = append(add[i], r.User)
	}
	if len(problems) > 0 {
		return problems
	}
	for i, names := range add {
		c.Teams[i].Members = append(c.Teams[i].Members, names...)
		c.Teams[i].fromRoster = len(names)
	}
	return nil
}

// teamList names the configured teams, for an error.
func (c *Config) teamList() string {
	ids := make([]string, len(c.Teams))
	for i, t := range c.Teams {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

// RosterRow is one agent of a roster file.
type RosterRow struct {
	// User is a platform user name or an e-mail address.
	User string
	// Team is a team id.
	Team string
	// Line is the row's line in the file, from 1.
	Line int
}

// ReadRosterFile reads a roster: a CSV file of "user,team" rows, in UTF-8
// with or without a byte order mark, separated by ";" (as a French
// spreadsheet saves it) or ",", with an optional header row. Each problem
// names the file and line; nothing is returned with a problem.
func ReadRosterFile(path string) ([]RosterRow, []Problem) {
	fail := func(line int, format string, args ...any) []Problem {
		return []Problem{{Field: "roster", File: path, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(0, "cannot read the roster file: %v", errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRosterBytes+1))
	switch {
	case err != nil:
		return nil, fail(0, "cannot read the roster file: %v", err)
	case len(data) > maxRosterBytes:
		return nil, fail(0, "the file is larger than %d Mo: is it the roster?", maxRosterBytes>>20)
	}
	return ParseRoster(path, data)
}

// ParseRoster reads the bytes of a roster file (see ReadRosterFile);
// name is the file's name in problems.
func ParseRoster(name string, data []byte) ([]RosterRow, []Problem) {
	var problems []Problem
	bad := func(line int, format string, args ...any) {
		problems = append(problems, Problem{Field: "roster", File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			bad(i+1, "not UTF-8 text: save the file as \"CSV UTF-8\"")
			return nil, problems
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []RosterRow
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			bad(perr.Line, "%v", perr.Err)
			return nil, problems
		} else if err != nil {
			bad(0, "%v", err)
			return nil, problems
		}
		line, _ := r.FieldPos(0)
		for len(rec) > 2 && strings.TrimSpace(rec[len(rec)-1]) == "" { // a spreadsheet's empty columns
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			bad(line, "want two columns, user%cteam, got %d", r.Comma, len(rec))
			continue
		}
		user, team := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if first && isHeader(user, team) {
			first = false
			continue
		}
		first = false
		switch {
		case user == "" || strings.ContainsAny(user, " \t:"):
			bad(line, "%q is not a user name or an e-mail address", user)
		case team == "":
			bad(line, "the team of %q is missing", user)
		default:
			rows = append(rows, RosterRow{User: user, Team: team, Line: line})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(rows) == 0 {
		bad(0, "names nobody: want one \"user%cteam\" row per agent", r.Comma)
		return nil, problems
	}
	return rows, nil
}

// separator is the roster's column separator: ";" when the first line
// holds one, else ",".
func separator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.ContainsRune(first, ';') {
		return ';'
	}
	return ','
}

// isHeader tells whether a first row names the columns.
func isHeader(user, team string) bool {
	u, t := FoldAccents(user), FoldAccents(team)
	return (u == "user" || u == "utilisateur" || u == "agent" || u == "email" || u == "e-mail" || u == "courriel") &&
		(t == "team" || t == "equipe")
}

// FromRoster counts the team's members the roster file added (the last
// of Members).
func (t Team) FromRoster() int { return t.fromRoster }
