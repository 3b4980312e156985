package challenges

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // slim containers have no zoneinfo: embed it so "Europe/Paris" always loads

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/gigabot/gigabot/locale"
)

// Config is a campaign configuration file (campaign.yaml).
type Config struct {
	Campaign     CampaignConfig    `yaml:"campaign"`
	Teams        []Team            `yaml:"teams"`
	Roles        Roles             `yaml:"roles"`
	DisplayNames map[string]string `yaml:"display_names"`
	Scoring      Weights           `yaml:"scoring"`
	Milestones   MilestoneConfig   `yaml:"milestones"`
	Equivalences Equivalences      `yaml:"equivalences"`
	// Defis replaces the built-in catalog when set (one per campaign day, in order).
	Defis []Defi `yaml:"defis"`
	// DefiOrder reorders the catalog by défi id; ids it omits follow in catalog order.
	DefiOrder []string `yaml:"defi_order"`
	// RateLimit bounds how many commands one user may send.
	RateLimit RateLimit `yaml:"rate_limit"`
	// RetiredTeams are the ids of teams that left the campaign but whose
	// figures stay in the store: listing one says its absence from Teams
	// is meant (gigabot audit fails on a team that holds figures and is
	// in neither list). They are not ranked; what they freed stays in the
	// campaign's total.
	RetiredTeams []string `yaml:"retired_teams"`
	// Roster names a CSV file of "user,team" rows (relative to this
	// file's folder) whose agents join the teams' members.
	Roster string `yaml:"roster"`
	// Reminders are the afternoon reminders to the teams below a share
	// of agents who did the day's défi.
	Reminders []Reminder `yaml:"reminders"`

	// memberTeam indexes Teams by member, built once by Parse: every
	// reaction asks which team its author is in.
	memberTeam map[string]int
}

// CampaignConfig holds the campaign key of the configuration.
type CampaignConfig struct {
	Name string `yaml:"name"`
	// ID namespaces the campaign's data in the store; defaults to a slug of Name.
	ID          string   `yaml:"id"`
	Start       string   `yaml:"start"`
	Days        int      `yaml:"days"`
	Timezone    string   `yaml:"timezone"`
	WorkingDays []string `yaml:"working_days"`
	// Holidays is "fr" (French public holidays), "fr-alsace-moselle" or "none".
	Holidays      string   `yaml:"holidays"`
	ExtraHolidays []string `yaml:"extra_holidays"`
	Schedule      Schedule `yaml:"schedule"`
	// Language is "fr" (default) or "en" for every message the bot posts.
	Language string `yaml:"language"`
	// Reaction is the emoji name that marks a défi as done.
	Reaction string `yaml:"reaction"`
	// Goal is the campaign-wide target, e.g. "2 To".
	Goal Bytes `yaml:"goal"`
	// Mobilisation is the DGS's call, posted at a date and time.
	Mobilisation *ScheduledCall `yaml:"mobilisation"`
	// RetentionDays is how long after the campaign's last recap the
	// agents' personal data is kept before it is erased (default 90).
	RetentionDays int `yaml:"retention_days"`
	// Previous is the id of the campaign's previous edition, in the same
	// store, that the standings, the dashboard, the recap and the podium
	// compare with ("": none).
	Previous string `yaml:"previous"`
	// BriefingDays is how many working days before day 1 the teams'
	// managers are briefed (nil: DefaultBriefingDays; 0: not briefed).
	BriefingDays *int `yaml:"briefing_days"`
}

// DefaultBriefingDays is when managers are briefed unless the config says:
// three working days before day 1, time to tell their team at a meeting.
const DefaultBriefingDays = 3

// maxBriefingDays bounds campaign.briefing_days: four weeks ahead.
const maxBriefingDays = 20

// Briefing returns how many working days before day 1 the managers are
// briefed (0: never).
func (c *Config) Briefing() int {
	if c.Campaign.BriefingDays == nil {
		return DefaultBriefingDays
	}
	return *c.Campaign.BriefingDays
}

// Schedule gives the local times of the daily posts ("09:00").
type Schedule struct {
	Defi  string `yaml:"defi"`
	Recap string `yaml:"recap"`
}

// Team is one competing team.
type Team struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Channel string   `yaml:"channel"`
	Members []string `yaml:"members"`
	// Managers are the team's encadrants (user names): a direct message
	// briefs them before day 1 (campaign.briefing_days) and a digest
	// gives them their team's week.
	Managers []string `yaml:"managers"`
	// MembersFromChannel is set by "members: channel": the team's agents
	// are the members of its chat channel, as the platform tells them.
	MembersFromChannel bool `yaml:"-"`

	// fromRoster counts the last Members, which the roster file added.
	fromRoster int
	// badMembers is a members value that is neither a list nor "channel".
	badMembers *string
}

// Roles names the users with more rights than an agent.
type Roles struct {
	DGS          []string `yaml:"dgs"`
	Coordinators []string `yaml:"coordinators"`
}

// Weights are the points given for each kind of achievement.
type Weights struct {
	// Defi is given for each défi an agent has done.
	Defi float64 `yaml:"defi"`
	// Gigabyte is given for each 10^9 bytes freed.
	Gigabyte float64 `yaml:"gigabyte"`
	// Percent is given for each percent of the team's own baseline freed.
	Percent float64 `yaml:"percent"`
	// HoldDrop is the share of a root's baseline (0.5: 50 %) that one scan
	// report may cut before it is held for a coordinator instead of
	// counted: a share that was not mounted when the scanner ran looks like
	// a root emptied. 1 holds only reports down to zero files.
	HoldDrop float64 `yaml:"hold_drop"`
}

// MilestoneConfig lists the campaign-wide thresholds announced once each.
type MilestoneConfig struct {
	Thresholds []Bytes `yaml:"thresholds"`
	// Every continues the series past the last threshold.
	Every Bytes `yaml:"every"`
}

// Equivalences turn freed bytes into things people picture. Each default
// carries its source in DefaultEquivalences.
type Equivalences struct {
	PDFPagesPerTB       float64 `yaml:"pdf_pages_per_tb"`
	CabinetsPerTB       float64 `yaml:"cabinets_per_tb"`
	CO2eTonnesPerTBYear float64 `yaml:"co2e_tonnes_per_tb_year"`
	// StorageDoublingYears: the organisation's storage doubles in that
	// many years, which makes a year of its data production.
	StorageDoublingYears float64 `yaml:"storage_doubling_years"`
}

// RateLimit bounds the commands of one user: Burst commands, then one every Every.
type RateLimit struct {
	Burst int           `yaml:"burst"`
	Every time.Duration `yaml:"every"`
}

// DefaultWeights returns the points of a campaign unless the config sets
// them. A défi done is worth 5 points per agent, a Go freed 1 point and each
// percent of the team's own baseline 50 points: the percent weighs most, so
// that a small team with a small share can beat a large one by effort, and
// participation counts, so that teams with little to delete still score.
func DefaultWeights() Weights {
	return Weights{Defi: 5, Gigabyte: 1, Percent: 50, HoldDrop: DefaultHoldDrop}
}

// DefaultHoldDrop holds a report that cuts a root by more than half its
// baseline in one step: a real clean-up rarely does, an unmounted share
// always does.
const DefaultHoldDrop = 0.5

// DefaultEquivalences returns the equivalences the campaign uses unless the
// config replaces them.
//
// Sources:
//   - 6 500 000 PDF pages and 1 300 archive cabinets per To: the Conseil
//     départemental du Calvados's own communication on its 2022 Giga
//     Déstockage ("1 To représente l'équivalent de 6,5 millions de pages de
//     documents PDF ou… 1 300 armoires d'archivage papiers"). They assume
//     about 150 Ko per PDF page (10^12 / 6,5×10^6 ≈ 154 Ko) and 5 000 pages
//     per archive cabinet (6 500 000 / 1 300).
//   - 0,2 t CO2e per To stored for a year (range 0,17–0,28): German
//     Environment Agency (Umweltbundesamt), "Green Cloud Computing", 2021.
//   - storage doubling in 4 years: the Calvados's own figure ("le volume
//     de données stockées a doublé en seulement quatre ans"), which made its
//     1,7 To freed "l'équivalent d'une année de données produites".
func DefaultEquivalences() Equivalences {
	return Equivalences{PDFPagesPerTB: 6_500_000, CabinetsPerTB: 1_300, CO2eTonnesPerTBYear: 0.2, StorageDoublingYears: 4}
}

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	cfg, err := parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates a configuration. Unknown keys are errors, so
// a typo never silently falls back to a default. The error is a
// *ValidationError listing every problem found, each naming its field and
// line. A roster file is read relative to the current directory.
func Parse(data []byte) (*Config, error) { return parse(data, "") }

// parse is Parse with the folder a roster file is relative to.
func parse(data []byte, dir string) (*Config, error) {
	var cfg Config
	file, _ := parser.ParseBytes(data, 0) // nil on a syntax error, which Decode reports with its line
	if p, ok := firstTag(file); ok {
		return nil, &ValidationError{Problems: []Problem{p}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(&cfg); err != nil {
		return nil, &ValidationError{Problems: []Problem{decodeProblem(err, file)}}
	}
	v := validator{file: file}
	cfg.validateExplicitZeros(&v)
	cfg.applyDefaults()
	roster := cfg.readRoster(dir)
	cfg.validate(&v)
	if len(v.problems) > 0 || len(roster) > 0 {
		sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Line < v.problems[j].Line })
		return nil, &ValidationError{Problems: append(v.problems, roster...)}
	}
	cfg.memberTeam = map[string]int{}
	for i, t := range cfg.Teams {
		for _, m := range t.Members {
			cfg.memberTeam[m] = i
		}
	}
	return &cfg, nil
}

// firstTag finds the first YAML tag ("!foo", "!!str") of a file. A
// campaign has no use for tags, and the decoder (goccy/go-yaml v1.19.2)
// panics on a tag where a list is expected.
func firstTag(file *ast.File) (Problem, bool) {
	if file == nil {
		return Problem{}, false
	}
	var f tagFinder
	for _, doc := range file.Docs {
		if doc.Body != nil && f.tag == nil {
			ast.Walk(&f, doc.Body)
		}
	}
	if f.tag == nil {
		return Problem{}, false
	}
	field := strings.TrimPrefix(strings.TrimPrefix(f.tag.GetPath(), "$"), ".")
	if field == "" {
		field = "yaml"
	}
	return Problem{Field: field, Line: f.tag.Start.Position.Line,
		Message: fmt.Sprintf("%q: YAML tags are not used in this file (quote a value that starts with \"!\")", f.tag.Start.Value)}, true
}

// tagFinder is an ast.Visitor that stops at the first tag.
type tagFinder struct{ tag *ast.TagNode }

func (f *tagFinder) Visit(n ast.Node) ast.Visitor {
	if t, ok := n.(*ast.TagNode); ok && f.tag == nil {
		f.tag = t
	}
	if f.tag != nil {
		return nil
	}
	return f
}

// Default returns a valid configuration with every default applied and no teams.
func Default() Config {
	var cfg Config
	cfg.applyDefaults()
	return cfg
}

func (c *Config) applyDefaults() {
	cp := &c.Campaign
	if cp.Days == 0 {
		cp.Days = 15
	}
	if cp.Timezone == "" {
		cp.Timezone = "Europe/Paris"
	}
	if len(cp.WorkingDays) == 0 {
		cp.WorkingDays = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	if cp.Holidays == "" {
		cp.Holidays = "fr"
	}
	if cp.Schedule.Defi == "" {
		cp.Schedule.Defi = "09:00"
	}
	if cp.Schedule.Recap == "" {
		cp.Schedule.Recap = "17:00"
	}
	if cp.Language == "" {
		cp.Language = "fr"
	}
	if cp.Reaction == "" {
		cp.Reaction = "white_check_mark"
	}
	if cp.RetentionDays == 0 {
		cp.RetentionDays = DefaultRetentionDays
	}
	if cp.ID == "" {
		cp.ID = slug(cp.Name)
	}
	if w := c.Scoring; w.Defi == 0 && w.Gigabyte == 0 && w.Percent == 0 {
		c.Scoring = DefaultWeights()
		c.Scoring.HoldDrop = w.HoldDrop
	}
	if c.Scoring.HoldDrop == 0 {
		c.Scoring.HoldDrop = DefaultHoldDrop
	}
	if len(c.Milestones.Thresholds) == 0 {
		c.Milestones.Thresholds = []Bytes{100 * GB, 250 * GB, 500 * GB, TB}
		if c.Milestones.Every == 0 {
			c.Milestones.Every = TB / 2
		}
	}
	def := DefaultEquivalences()
	eq := &c.Equivalences
	if eq.PDFPagesPerTB == 0 {
		eq.PDFPagesPerTB = def.PDFPagesPerTB
	}
	if eq.CabinetsPerTB == 0 {
		eq.CabinetsPerTB = def.CabinetsPerTB
	}
	if eq.CO2eTonnesPerTBYear == 0 {
		eq.CO2eTonnesPerTBYear = def.CO2eTonnesPerTBYear
	}
	if eq.StorageDoublingYears == 0 {
		eq.StorageDoublingYears = def.StorageDoublingYears
	}
	if c.RateLimit.Burst == 0 {
		c.RateLimit.Burst = 5
	}
	if c.RateLimit.Every == 0 {
		c.RateLimit.Every = 10 * time.Second
	}
	if c.DisplayNames == nil {
		c.DisplayNames = map[string]string{}
	}
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	slugStrip      = regexp.MustCompile(`[^a-z0-9]+`)
	clockPattern   = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
	weekdayByShort = map[string]time.Weekday{
		"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
		"dim": time.Sunday, "lun": time.Monday, "mar": time.Tuesday, "mer": time.Wednesday,
		"jeu": time.Thursday, "ven": time.Friday, "sam": time.Saturday,
	}
)

func slug(s string) string {
	s = strings.Trim(slugStrip.ReplaceAllString(FoldAccents(s), "-"), "-")
	if len(s) > 64 { // ids are at most 64 characters
		s = strings.TrimRight(s[:64], "-")
	}
	if s == "" {
		return "campagne"
	}
	return s
}

func (c *Config) validate(v *validator) {
	cp := c.Campaign
	if strings.TrimSpace(cp.Name) == "" {
		v.add("campaign.name", "is required")
	}
	if !idPattern.MatchString(cp.ID) {
		v.add("campaign.id", "%q must be lower-case letters, digits, '-' or '_' (at most 64)", cp.ID)
	}
	if cp.Start == "" {
		v.add("campaign.start", "is required (a date such as 2027-03-22)")
	} else if _, err := ParseDate(cp.Start, time.UTC); err != nil {
		v.add("campaign.start", "%v", err)
	}
	if cp.Days < 1 || cp.Days > 60 {
		v.add("campaign.days", "must be between 1 and 60, got %d", cp.Days)
	}
	if cp.Timezone == "Local" {
		// time.LoadLocation takes "Local" for the machine's own zone: the
		// campaign's day would then follow wherever the bot runs (UTC in a
		// container).
		v.add("campaign.timezone", "%q is the server's own time zone, which changes with the machine (UTC in most containers): name the campaign's zone, such as Europe/Paris", cp.Timezone)
	} else if _, err := time.LoadLocation(cp.Timezone); err != nil {
		v.add("campaign.timezone", "unknown time zone %q (use an IANA name such as Europe/Paris)", cp.Timezone)
	}
	seenDay := map[time.Weekday]bool{}
	for i, d := range cp.WorkingDays {
		wd, ok := weekdayByShort[strings.ToLower(d)]
		switch {
		case !ok:
			v.add(fmt.Sprintf("campaign.working_days[%d]", i), "unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", d)
		case seenDay[wd]:
			v.add(fmt.Sprintf("campaign.working_days[%d]", i), "day %q listed twice", d)
		}
		seenDay[wd] = true
	}
	if _, ok := holidaySets[cp.Holidays]; !ok {
		v.add("campaign.holidays", "unknown holiday set %q (use fr, fr-alsace-moselle or none)", cp.Holidays)
	}
	for i, d := range cp.ExtraHolidays {
		if _, err := ParseDate(d, time.UTC); err != nil {
			v.add(fmt.Sprintf("campaign.extra_holidays[%d]", i), "%v", err)
		}
	}
	defiAt, errDefi := ParseClock(cp.Schedule.Defi)
	if errDefi != nil {
		v.add("campaign.schedule.defi", "%v", errDefi)
	}
	recapAt, errRecap := ParseClock(cp.Schedule.Recap)
	if errRecap != nil {
		v.add("campaign.schedule.recap", "%v", errRecap)
	}
	if errDefi == nil && errRecap == nil && !defiAt.Before(recapAt) {
		v.add("campaign.schedule.recap", "%s must come after the défi at %s", cp.Schedule.Recap, cp.Schedule.Defi)
	}
	if cp.Language != "fr" && cp.Language != "en" {
		v.add("campaign.language", "unknown language %q (use fr or en)", cp.Language)
	}
	if cp.Goal < 0 {
		v.add("campaign.goal", "must not be negative")
	}
	if cp.RetentionDays < 1 || cp.RetentionDays > maxRetentionDays {
		v.add("campaign.retention_days", "must be between 1 and %d days, got %d", maxRetentionDays, cp.RetentionDays)
	}
	if cp.Previous != "" && !idPattern.MatchString(cp.Previous) {
		v.add("campaign.previous", "%q is not a campaign id (lower-case letters, digits, '-' or '_', at most 64)", cp.Previous)
	} else if cp.Previous != "" && cp.Previous == cp.ID {
		v.add("campaign.previous", "%q is this campaign's own id: name the previous edition's campaign.id", cp.Previous)
	}
	c.validateTeams(v)
	c.validateRetired(v)
	c.validateRoles(v)
	c.validateScoring(v)
	c.validateDefis(v)
	c.validateReminders(v)
	c.validateMobilisation(v)
	if c.RateLimit.Burst < 1 {
		v.add("rate_limit.burst", "must be at least 1, got %d", c.RateLimit.Burst)
	}
	if c.RateLimit.Every < 0 {
		v.add("rate_limit.every", "must not be negative")
	}
}

// DefaultRetentionDays is how long, by default, the agents' personal data
// outlives the campaign: time to answer questions about the results, then
// nothing is kept that names anyone (README, "Personal data").
const DefaultRetentionDays = 90

// maxRetentionDays bounds campaign.retention_days: the campaign is yearly,
// and its data has no use once the next edition is over.
const maxRetentionDays = 730

// minMilestoneStep is the smallest step between milestones past the
// thresholds: each step crossed is a post in every team channel.
const minMilestoneStep = GB

// validateExplicitZeros reports the zeros written in the file where a
// missing key takes a default: "days: 0" is not a campaign of the default
// 15 days. It runs before applyDefaults, which cannot tell the two apart.
func (c *Config) validateExplicitZeros(v *validator) {
	if c.Campaign.Days == 0 && v.has("campaign.days") {
		v.add("campaign.days", "must be between 1 and 60, got 0")
	}
	if c.Campaign.RetentionDays == 0 && v.has("campaign.retention_days") {
		v.add("campaign.retention_days", "must be between 1 and %d days, got 0", maxRetentionDays)
	}
}

func (c *Config) validateTeams(v *validator) {
	if len(c.Teams) == 0 {
		v.add("teams", "at least one team is required")
	}
	ids := map[string]int{}
	channels := map[string]int{}
	members := map[string]string{}
	for i, t := range c.Teams {
		at := fmt.Sprintf("teams[%d]", i)
		if !idPattern.MatchString(t.ID) {
			v.add(at+".id", "%q must be lower-case letters, digits, '-' or '_' (at most 64)", t.ID)
		} else if first, dup := ids[t.ID]; dup {
			v.add(at+".id", "duplicate team id %q (already used by teams[%d])", t.ID, first)
		} else {
			ids[t.ID] = i
		}
		if strings.TrimSpace(t.Name) == "" {
			v.add(at+".name", "is required")
		}
		if t.Channel == "" {
			v.add(at+".channel", "is required")
		} else if first, dup := channels[t.Channel]; dup {
			v.add(at+".channel", "channel %q is already used by teams[%d]", t.Channel, first)
		} else {
			channels[t.Channel] = i
		}
		switch {
		case t.badMembers != nil:
			v.add(at+".members", "%q: want a list of user names, or %q for the members of the team's channel", *t.badMembers, MembersFromChannel)
		case len(t.Members) == 0 && !t.MembersFromChannel:
			v.add(at+".members", "team %q has no members (list them, name them in the roster file, or write \"members: channel\")", t.ID)
		}
		for j, m := range t.Members {
			mat := fmt.Sprintf("%s.members[%d]", at, j)
			if strings.TrimSpace(m) == "" || (strings.ContainsAny(m, " \t:") && !matrixUserID.MatchString(m)) {
				v.add(mat, "%q is not a user name", m)
				continue
			}
			if other, dup := members[m]; dup {
				v.add(mat, "%q is already a member of team %q: an agent belongs to one team", m, other)
				continue
			}
			members[m] = t.ID
		}
		for j, m := range t.Managers {
			mat := fmt.Sprintf("%s.managers[%d]", at, j)
			if strings.TrimSpace(m) == "" || (strings.ContainsAny(m, " \t:") && !matrixUserID.MatchString(m)) {
				v.add(mat, "%q is not a user name", m)
			} else if slices.Contains(t.Managers[:j], m) {
				v.add(mat, "%q is listed twice", m)
			}
		}
	}
	if d := c.Campaign.BriefingDays; d != nil && (*d < 0 || *d > maxBriefingDays) {
		v.add("campaign.briefing_days", "must be between 0 (no briefing) and %d working days, got %d", maxBriefingDays, *d)
	}
}

// matrixUserID matches a full Matrix user id ("@dave:example.fr"), the
// one user name a colon may be part of: its localpart as the spec allows
// for new accounts, then a host name and an optional port.
var matrixUserID = regexp.MustCompile(`^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:[0-9]{1,5})?$`)

// validateRetired checks retired_teams: ids, once each, none of them a
// running team.
func (c *Config) validateRetired(v *validator) {
	seen := map[string]bool{}
	for i, id := range c.RetiredTeams {
		at := fmt.Sprintf("retired_teams[%d]", i)
		switch {
		case !idPattern.MatchString(id):
			v.add(at, "%q must be a team id: lower-case letters, digits, '-' or '_' (at most 64)", id)
		case seen[id]:
			v.add(at, "%q is listed twice", id)
		default:
			if j := slices.IndexFunc(c.Teams, func(t Team) bool { return t.ID == id }); j >= 0 {
				v.add(at, "%q is also in teams (teams[%d]): a team is either running or retired", id, j)
			}
		}
		seen[id] = true
	}
}

// Retired tells whether id is listed in retired_teams.
func (c *Config) Retired(id string) bool { return slices.Contains(c.RetiredTeams, id) }

func (c *Config) validateRoles(v *validator) {
	if len(c.Roles.DGS) == 0 {
		v.add("roles.dgs", "names nobody: the DGS sends the call to mobilisation")
	}
	if len(c.Roles.Coordinators) == 0 {
		v.add("roles.coordinators", "names nobody: coordinators correct scores and post announcements")
	}
	for role, names := range map[string][]string{"roles.dgs": c.Roles.DGS, "roles.coordinators": c.Roles.Coordinators} {
		for i, n := range names {
			if strings.TrimSpace(n) == "" {
				v.add(fmt.Sprintf("%s[%d]", role, i), "is empty")
			}
		}
	}
}

func (c *Config) validateScoring(v *validator) {
	w := c.Scoring
	for name, x := range map[string]float64{"scoring.defi": w.Defi, "scoring.gigabyte": w.Gigabyte, "scoring.percent": w.Percent} {
		if x < 0 {
			v.add(name, "must not be negative, got %g", x)
		}
	}
	if w.HoldDrop <= 0 || w.HoldDrop > 1 {
		v.add("scoring.hold_drop", "must be a share between 0 and 1 (0.5 holds a report that cuts a root by more than half), got %g", w.HoldDrop)
	}
	prev := Bytes(0)
	for i, t := range c.Milestones.Thresholds {
		if t <= prev {
			v.add(fmt.Sprintf("milestones.thresholds[%d]", i), "must be positive and above the previous threshold")
		}
		prev = t
	}
	switch e := c.Milestones.Every; {
	case e < 0:
		v.add("milestones.every", "must not be negative")
	case e > 0 && e < minMilestoneStep:
		v.add("milestones.every", "%s is below 1 Go: a milestone so small would be crossed by almost every scan (use at least 1 Go, or 0 for no milestones past the thresholds)", locale.New("fr").Bytes(int64(e)))
	}
	eq := c.Equivalences
	for name, x := range map[string]float64{
		"equivalences.pdf_pages_per_tb": eq.PDFPagesPerTB, "equivalences.cabinets_per_tb": eq.CabinetsPerTB,
		"equivalences.co2e_tonnes_per_tb_year": eq.CO2eTonnesPerTBYear,
	} {
		if x < 0 {
			v.add(name, "must not be negative, got %g", x)
		}
	}
	if d := eq.StorageDoublingYears; d < 0.5 || d > 100 || math.IsNaN(d) {
		v.add("equivalences.storage_doubling_years", "must be between 0.5 and 100 years (the Calvados: 4), got %g", d)
	}
}

func (c *Config) validateDefis(v *validator) {
	seen := map[string]bool{}
	for i, d := range c.Defis {
		at := fmt.Sprintf("defis[%d]", i)
		if d.ID == "" || seen[d.ID] {
			v.add(at+".id", "%q must be set and unique", d.ID)
		}
		seen[d.ID] = true
		if strings.TrimSpace(d.Title) == "" {
			v.add(at+".title", "is required")
		}
		if len(d.Steps) == 0 {
			v.add(at+".steps", "at least one step is required")
		}
	}
	known := map[string]bool{}
	for _, d := range c.unordered() {
		known[d.ID] = true
	}
	for i, id := range c.DefiOrder {
		if !known[id] {
			v.add(fmt.Sprintf("defi_order[%d]", i), "unknown défi id %q", id)
		}
	}
}

// Location returns the campaign's time zone. The config was validated, so
// it loads.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Campaign.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// TeamOf returns the team a user belongs to.
func (c *Config) TeamOf(user string) (Team, bool) {
	if c.memberTeam != nil {
		i, ok := c.memberTeam[user]
		if !ok {
			return Team{}, false
		}
		return c.Teams[i], true
	}
	for _, t := range c.Teams { // a Config built by hand, not by Parse
		for _, m := range t.Members {
			if m == user {
				return t, true
			}
		}
	}
	return Team{}, false
}

// Team returns the team with the given id.
func (c *Config) Team(id string) (Team, bool) {
	for _, t := range c.Teams {
		if t.ID == id {
			return t, true
		}
	}
	return Team{}, false
}

// ParseDate reads an ISO (2027-03-22) or French (22/03/2027) date in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a valid date (use 2027-03-22 or 22/03/2027)", s)
}

// ClockTime is a local time of day.
type ClockTime struct{ Hour, Minute int }

// ParseClock reads "HH:MM".
func ParseClock(s string) (ClockTime, error) {
	m := clockPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ClockTime{}, fmt.Errorf("%q is not a time of day (use HH:MM, e.g. 09:00)", s)
	}
	var ct ClockTime
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &ct.Hour, &ct.Minute)
	return ct, nil
}

// Before reports whether c is earlier in the day than o.
func (c ClockTime) Before(o ClockTime) bool {
	return c.Hour*60+c.Minute < o.Hour*60+o.Minute
}

// String formats the time as HH:MM.
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// Problem is one thing wrong in a configuration.
type Problem struct {
	Field string
	// File is set for a problem in another file than the configuration
	// (the roster), whose line Line is.
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return fmt.Sprintf("%s: %s:%d: %s", p.Field, p.File, p.Line, p.Message)
	case p.File != "":
		return fmt.Sprintf("%s: %s: %s", p.Field, p.File, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s (line %d): %s", p.Field, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Field, p.Message)
}

// ValidationError lists every problem of a configuration.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid configuration:\n  " + strings.Join(lines, "\n  ")
}

// AsValidationError returns the problems of err, if it is a validation error.
func AsValidationError(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

type validator struct {
	file     *ast.File
	problems []Problem
}

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: field, Line: v.line(field), Message: fmt.Sprintf(format, args...)})
}

// has reports whether the source sets a field.
func (v *validator) has(field string) bool { return v.line(field) > 0 }

// line finds the line of a field in the source, or 0 when the field is absent
// (a missing key has no line).
func (v *validator) line(field string) int {
	if v.file == nil {
		return 0
	}
	p, err := yaml.PathString("$." + field)
	if err != nil {
		return 0
	}
	node, err := p.FilterFile(v.file)
	if err != nil || node == nil || node.GetToken() == nil {
		return 0
	}
	return node.GetToken().Position.Line
}
