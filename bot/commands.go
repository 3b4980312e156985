package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// role is who may run a command.
type role int

const (
	roleAgent role = iota
	roleCoordinator
	roleDGS
)

// command is one chat command. names[0] is the French name, then aliases
// (English among them), all lower-case without accents.
type command struct {
	names []string
	role  role
	usage string
	run   func(ctx context.Context, ev Event, args string) error
}

func (b *Bot) commandTable() []command {
	return []command{
		{names: []string{"aide", "help", "?"}, run: b.cmdHelp},
		{names: []string{"defi", "challenge", "defi-du-jour"}, run: b.cmdDefi},
		{names: []string{"programme", "schedule", "calendrier", "program"}, run: b.cmdProgramme},
		{names: []string{"classement", "ranking", "standings", "leaderboard"}, run: b.cmdRanking},
		{names: []string{"equipe", "team"}, run: b.cmdTeam},
		{names: []string{"moi", "me"}, run: b.cmdMe},
		{names: []string{"rappels", "reminders", "rappel", "reminder"}, usage: "rappels off|on", run: b.cmdNudges},
		{names: []string{"temoignage", "testimony", "temoigner"}, usage: "temoignage <texte>", run: b.cmdTestimony},
		{names: []string{"retirer", "withdraw"}, role: roleCoordinator, usage: "retirer <T12>", run: b.cmdWithdraw},
		{names: []string{"annonce", "announce"}, role: roleCoordinator, usage: "annonce <texte>", run: b.cmdAnnounce},
		{names: []string{"correction", "correct"}, role: roleCoordinator, usage: "correction <équipe> <points> <motif>", run: b.cmdCorrection},
		{names: []string{"export", "exporter", "csv"}, role: roleCoordinator, run: b.cmdExport},
		{names: []string{"attente", "en", "en-attente", "pending", "held"}, role: roleCoordinator, run: b.cmdHeld},
		{names: []string{"valider", "validate", "accept"}, role: roleCoordinator, usage: "valider <scan_id>", run: b.cmdValidate},
		{names: []string{"rejeter", "reject"}, role: roleCoordinator, usage: "rejeter <scan_id>", run: b.cmdReject},
		{names: []string{"reporter", "postpone"}, role: roleCoordinator, usage: "reporter [motif]", run: b.cmdPostpone},
		{names: []string{"mobilisation", "rally"}, role: roleDGS, usage: "mobilisation <texte>", run: b.cmdMobilisation},
	}
}

// mentionPrefixes are stripped from a command: people write "@gigabot
// classement" or "gigabot, classement" even where the adapter already did.
var mentionPrefixes = []string{"@gigabot", "gigabot", "/giga"}

func (b *Bot) handleMessage(ctx context.Context, ev Event) error {
	text := strings.TrimSpace(ev.Text)
	for _, p := range mentionPrefixes {
		if len(text) >= len(p) && strings.EqualFold(text[:len(p)], p) {
			text = strings.TrimLeft(text[len(p):], " ,:\u00a0")
			break
		}
	}
	// The bucket is in the store: when it cannot be read, neither can the
	// scores, and the user is told so rather than served half a command.
	if ok, warn, wait, err := b.limiter.allow(ctx, ev.User, b.clock.Now()); err != nil {
		return b.apologise(ctx, ev, fmt.Errorf("rate limit: %w", err))
	} else if !ok {
		if warn {
			return b.reply(ctx, ev, b.loc.T("ratelimit", strconv.Itoa(int(math.Ceil(wait.Seconds())))))
		}
		return nil
	}
	name, args, _ := strings.Cut(text, " ")
	name = strings.TrimRight(name, "?!.,;:")
	if name == "" {
		name = "aide"
	}
	args = strings.TrimSpace(args)
	folded := challenges.FoldAccents(name)
	c, ok := b.lookup(folded)
	if !ok {
		phrase, found := rephrase(text)
		if !found {
			b.metrics.Command("unknown")
			return b.replyUnknown(ctx, ev, name)
		}
		c, _ = b.lookup(phrase)
		args = ""
	}
	b.metrics.Command(c.names[0])
	if !b.may(ev.User, c.role) {
		who := b.loc.T("role.coord")
		if c.role == roleDGS {
			who = b.loc.T("role.dgs")
		}
		return b.reply(ctx, ev, b.loc.T("refused", c.names[0], who))
	}
	if err := c.run(ctx, ev, args); err != nil {
		if rerr := b.reply(ctx, ev, b.loc.T("failed")); rerr != nil {
			b.log.Error("reply", "err", rerr)
		}
		return fmt.Errorf("command %s: %w", c.names[0], err)
	}
	return nil
}

func (b *Bot) replyUnknown(ctx context.Context, ev Event, name string) error {
	if s := b.suggest(challenges.FoldAccents(name)); s != "" {
		return b.reply(ctx, ev, b.loc.T("unknown", quote(name), s))
	}
	return b.reply(ctx, ev, b.loc.T("unknown.no", quote(name)))
}

// phrases map the questions people actually type to commands.
var phrases = []struct{ contains, command string }{
	{"ou en est", "equipe"}, {"ou en sommes", "equipe"}, {"mon equipe", "equipe"},
	{"how is my team", "team"}, {"my team", "team"},
	{"qui gagne", "classement"}, {"who is winning", "ranking"},
	{"defi du jour", "defi"}, {"today's challenge", "challenge"},
	{"en attente", "attente"}, {"on hold", "pending"},
}

// rephrase finds the command a question asks for ("où en est mon équipe"
// → "equipe").
func rephrase(text string) (string, bool) {
	folded := challenges.FoldAccents(text)
	for _, p := range phrases {
		if strings.Contains(folded, p.contains) {
			return p.command, true
		}
	}
	return "", false
}

// clip shortens what a user typed before the bot quotes it back (see
// quote), so that nobody can make the bot post a wall of text.
func clip(s string) string {
	const max = 40
	s = strings.ToValidUTF8(s, "�")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// lookup finds a command by one of its names.
func (b *Bot) lookup(name string) (command, bool) {
	for _, c := range b.commands {
		if slices.Contains(c.names, name) {
			return c, true
		}
	}
	return command{}, false
}

func (b *Bot) may(user string, r role) bool {
	switch r {
	case roleDGS:
		return slices.Contains(b.cfg.Roles.DGS, user)
	case roleCoordinator:
		return slices.Contains(b.cfg.Roles.DGS, user) || slices.Contains(b.cfg.Roles.Coordinators, user)
	}
	return true
}

// suggest returns the command name closest to an unknown word, if close enough.
func (b *Bot) suggest(word string) string {
	best, bestDist := "", 3
	for _, c := range b.commands {
		for i, n := range c.names {
			if d := levenshtein(word, n); d < bestDist || (d == bestDist && i == 0 && best == "") {
				best, bestDist = c.names[i], d
			}
		}
	}
	if bestDist > 2 || len(word) <= bestDist {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func (b *Bot) reply(ctx context.Context, ev Event, text string) error {
	_, err := b.chat.Post(ctx, ev.Channel, Message{Kind: KindReply, Text: text})
	return err
}

func (b *Bot) cmdHelp(ctx context.Context, ev Event, _ string) error {
	lines := []string{b.loc.T("help.header"), b.loc.T("help.agent")}
	if b.may(ev.User, roleCoordinator) {
		lines = append(lines, b.loc.T("help.coordinator"))
	}
	if b.may(ev.User, roleDGS) {
		lines = append(lines, b.loc.T("help.dgs"))
	}
	lines = append(lines, b.loc.T("help.react", b.cfg.Campaign.Reaction))
	return b.reply(ctx, ev, strings.Join(lines, "\n"))
}

func (b *Bot) cmdDefi(ctx context.Context, ev Event, _ string) error {
	now := b.clock.Now()
	switch {
	case now.Before(b.cal.Start()):
		first := b.cal.Days[0]
		return b.reply(ctx, ev, b.loc.T("defi.before", b.cfg.Campaign.Name, b.loc.Date(first.Date), first.Defi.Title))
	case !now.Before(b.cal.End()):
		return b.reply(ctx, ev, b.loc.T("defi.after", b.cfg.Campaign.Name))
	}
	day, ok := b.cal.DayOf(now)
	if !ok {
		next := b.cal.Days[b.cal.Elapsed(now)]
		return b.reply(ctx, ev, b.loc.T("defi.rest", b.loc.Date(next.Date)))
	}
	if now.Before(b.cal.At(day.N, b.cal.DefiAt)) {
		return b.reply(ctx, ev, b.loc.T("defi.notyet", day.N, b.cal.DefiAt, b.cal.Days[day.N-2].Defi.Title))
	}
	// The card asks for a ✅: one on this copy counts like one on the
	// morning's post (an ephemeral answer has no id, and no reactions).
	id, err := b.chat.Post(ctx, ev.Channel, b.defiMessage(day))
	if err != nil || id == "" {
		return err
	}
	return b.store.ReferTo(ctx, id, defiRef(day.N))
}

func (b *Bot) cmdProgramme(ctx context.Context, ev Event, _ string) error {
	elapsed := b.cal.Elapsed(b.clock.Now())
	lines := []string{b.loc.T("programme.header", b.cfg.Campaign.Name, len(b.cal.Days))}
	for _, d := range b.cal.Days {
		mark := "▫️"
		if d.N < elapsed {
			mark = "✔️"
		} else if d.N == elapsed {
			mark = "👉"
		}
		lines = append(lines, b.loc.T("programme.line", mark, d.N, b.loc.Date(d.Date), d.Defi.Title))
	}
	return b.reply(ctx, ev, strings.Join(lines, "\n"))
}

var criterionAliases = map[string]scoring.Criterion{
	"": scoring.ByPoints, "points": scoring.ByPoints, "pts": scoring.ByPoints,
	"volume": scoring.ByVolume, "octets": scoring.ByVolume, "bytes": scoring.ByVolume, "go": scoring.ByVolume,
	"taux": scoring.ByPercent, "pourcentage": scoring.ByPercent, "percent": scoring.ByPercent, "rate": scoring.ByPercent, "%": scoring.ByPercent,
	"participation": scoring.ByParticipation,
	"agent":         scoring.ByPerAgent, "agents": scoring.ByPerAgent, "par-agent": scoring.ByPerAgent, "per-agent": scoring.ByPerAgent, "equite": scoring.ByPerAgent,
}

func (b *Bot) cmdRanking(ctx context.Context, ev Event, args string) error {
	c, ok := criterionAliases[challenges.FoldAccents(strings.TrimSpace(args))]
	if !ok {
		return b.reply(ctx, ev, b.loc.T("ranking.unknown", quote(args)))
	}
	st, err := b.Standings(ctx)
	if err != nil {
		return err
	}
	text := b.rankingText(st, c, len(b.teams)) + "\n" +
		b.loc.T("ranking.total", b.loc.Bytes(st.TotalFreed), b.equivalencesText(st.TotalFreed)) + b.monthsText(st.TotalFreed, st.TotalScanned)
	return b.reply(ctx, ev, text)
}

// findTeam matches a team by id or by name, ignoring case and accents.
func (b *Bot) findTeam(s string) (challenges.Team, bool) {
	f := challenges.FoldAccents(strings.TrimSpace(s))
	for _, t := range b.cfg.Teams {
		if t.ID == f || challenges.FoldAccents(t.Name) == f {
			return t, true
		}
	}
	return challenges.Team{}, false
}

func (b *Bot) teamIDs() string {
	ids := make([]string, len(b.cfg.Teams))
	for i, t := range b.cfg.Teams {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

func (b *Bot) cmdTeam(ctx context.Context, ev Event, args string) error {
	var team challenges.Team
	var ok bool
	if args == "" {
		var err error
		if team, ok, err = b.teamOf(ctx, ev.User); err != nil {
			return err
		} else if !ok {
			return b.reply(ctx, ev, b.loc.T("team.none"))
		}
	} else if team, ok = b.findTeam(args); !ok {
		return b.reply(ctx, ev, b.loc.T("team.unknown", quote(args), b.teamIDs()))
	}
	st, err := b.Standings(ctx)
	if err != nil {
		return err
	}
	l := b.loc
	s, _ := st.Find(team.ID, scoring.ByPoints)
	perAgent, _ := st.Find(team.ID, scoring.ByPerAgent)
	text := l.T("team.card", team.Name, b.labelled(s, figMembers),
		l.Points(s.Points), l.Ordinal(s.Rank), len(b.teams),
		l.Bytes(s.FreedBytes), l.Percent(s.Percent), l.Bytes(s.BaselineBytes),
		l.Percent(100*s.Participation), b.labelled(s, figDone),
		l.Points(s.PointsPerAgent), l.Ordinal(perAgent.Rank))
	if advice, err := b.adviceText(ctx, team.ID); err != nil {
		return err
	} else if advice != "" {
		text += "\n" + advice
	}
	return b.reply(ctx, ev, text)
}

// adviceText tells a team what its latest scans say is left to clean.
func (b *Bot) adviceText(ctx context.Context, team string) (string, error) {
	scans, err := b.store.LatestScans(ctx, team)
	if err != nil || len(scans) == 0 {
		return "", err
	}
	var dup, stale, large int64
	var last time.Time
	for _, sc := range scans {
		dup += sc.DuplicateBytes
		stale += sc.StaleBytes
		large += sc.LargeBytes
		if sc.ScannedAt.After(last) {
			last = sc.ScannedAt
		}
	}
	return b.loc.T("team.advice", b.loc.Bytes(dup), b.loc.Bytes(stale), b.loc.Bytes(large), b.loc.Date(last.In(b.cal.Location))), nil
}

func (b *Bot) cmdMe(ctx context.Context, ev Event, _ string) error {
	team, ok, err := b.teamOf(ctx, ev.User)
	if err != nil {
		return err
	} else if !ok {
		return b.reply(ctx, ev, b.loc.T("me.outside"))
	}
	days, err := b.store.AgentDays(ctx, ev.User)
	if err != nil {
		return err
	}
	list := ""
	if len(days) > 0 {
		s := make([]string, len(days))
		for i, d := range days {
			s[i] = strconv.Itoa(d)
		}
		list = b.loc.T("me.days", strings.Join(s, ", "))
	}
	return b.reply(ctx, ev, b.loc.T("me.card", Neutralise(ev.DisplayName), team.Name, len(days), b.cal.Elapsed(b.clock.Now()), list))
}

// broadcastKey names a broadcast so that the same command sent again the
// same day only retries the channels that failed.
func (b *Bot) broadcastKey(kind, user, text string) string {
	sum := sha256.Sum256([]byte(user + "\x00" + text))
	return kind + ":" + b.clock.Now().In(b.cal.Location).Format(time.DateOnly) + ":" + hex.EncodeToString(sum[:8])
}

func (b *Bot) cmdMobilisation(ctx context.Context, ev Event, args string) error {
	return b.sendBroadcast(ctx, ev, "mobilisation", args, KindMobilisation)
}

func (b *Bot) cmdAnnounce(ctx context.Context, ev Event, args string) error {
	return b.sendBroadcast(ctx, ev, "annonce", args, KindAnnouncement)
}

func (b *Bot) sendBroadcast(ctx context.Context, ev Event, kind, text string, mk MessageKind) error {
	if text == "" {
		return b.reply(ctx, ev, b.loc.T("usage", kind+" <texte>"))
	}
	keys := "announce"
	if mk == KindMobilisation {
		keys = "mobilisation"
	}
	// The ledger of the day's broadcasts posts each channel once: the same
	// command again only retries the channels that failed, and a platform
	// that delivers the command twice does not double it. When every
	// channel already had it, say so rather than claim it was sent.
	failed, built, err := b.broadcastText(ctx, b.broadcastKey(kind, ev.User, text), keys, text, ev.DisplayName, mk)
	switch {
	case len(failed) > 0:
		b.log.Error("broadcast", "kind", kind, "failed", failed, "err", err)
		return b.reply(ctx, ev, b.loc.T("broadcast.partial", len(b.cfg.Teams)-len(failed), len(b.cfg.Teams), strings.Join(failed, ", ")))
	case built == 0:
		return b.reply(ctx, ev, b.loc.T(keys+".already"))
	}
	return b.reply(ctx, ev, b.loc.T("broadcast.done", len(b.cfg.Teams)))
}

// broadcastText posts text, signed by signer, in every team channel as
// the message keys+".post" (an announcement, a call to mobilisation),
// each channel once under key. It returns the teams whose post failed and
// how many posts went out now.
func (b *Bot) broadcastText(ctx context.Context, key, keys, text, signer string, mk MessageKind) ([]string, int, error) {
	msg := Message{Kind: mk, Text: b.loc.T(keys+".post", text, Neutralise(signer))}
	built := 0
	failed, err := b.broadcast(ctx, key, "", func(challenges.Team) (Message, error) {
		built++
		return msg, nil
	})
	return failed, built, err
}

// maxCorrection bounds one correction, so that a typo cannot wreck a ranking.
const maxCorrection = 10_000

// pointsPattern is a correction's points as people write them: an
// optional sign, digits, and at most one decimal after a comma or a point
// ("-20", "12,5", "+3"). Nothing else: no exponent ("1e3"), no hexadecimal
// ("0x1p4"), no NaN or infinity, and no thousands separator, since "1.000"
// is 1 to some and 1 000 to others. One decimal is what the bot shows.
var pointsPattern = regexp.MustCompile(`^[+-]?[0-9]+(?:[.,][0-9])?$`)

// parsePoints reads a correction's points (see pointsPattern); the
// typographic minus "−" (U+2212) counts as "-". Too many digits read as an
// infinity, which the bound then refuses.
func parsePoints(s string) (float64, bool) {
	if rest, ok := strings.CutPrefix(s, "\u2212"); ok {
		s = "-" + rest
	}
	if !pointsPattern.MatchString(s) {
		return 0, false
	}
	x, _ := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	return x, true
}

func (b *Bot) cmdCorrection(ctx context.Context, ev Event, args string) error {
	fields := strings.Fields(args)
	if len(fields) < 2 {
		return b.reply(ctx, ev, b.loc.T("usage", "correction <équipe> <points> <motif>"))
	}
	team, ok := b.findTeam(fields[0])
	if !ok {
		return b.reply(ctx, ev, b.loc.T("team.unknown", quote(fields[0]), b.teamIDs()))
	}
	points, ok := parsePoints(fields[1])
	switch {
	case !ok:
		limit := b.loc.Int(maxCorrection)
		return b.reply(ctx, ev, b.loc.T("correction.bad", quote(fields[1]), limit, limit))
	case points == 0:
		return b.reply(ctx, ev, b.loc.T("correction.zero"))
	case math.Abs(points) > maxCorrection:
		return b.reply(ctx, ev, b.loc.T("correction.toolarge", b.loc.Int(maxCorrection)))
	case len(fields) < 3:
		return b.reply(ctx, ev, b.loc.T("correction.reason"))
	}
	reason := strings.Join(fields[2:], " ")
	now := b.clock.Now()
	day := b.cal.RecapDay(now)
	// The correction's content names it: a command the platform delivers
	// again, or one the coordinator types again after an answer that failed
	// (the store may have recorded it before failing), counts once. The same
	// correction twice in a day needs another reason.
	c := scoring.Correction{ID: correctionID(ev.User, team.ID, points, reason, day), Team: team.ID, Points: points, Reason: reason, By: ev.User, Day: day, At: now}
	if err := b.store.Correct(ctx, c); err != nil {
		return err
	}
	return b.reply(ctx, ev, b.loc.T("correction.done", signedPoints(b.loc, points), team.Name, Neutralise(reason), day))
}

// correctionID names a correction by who made it, for which team, how many
// points, why and on which campaign day.
func correctionID(by, team string, points float64, reason string, day int) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{by, team, strconv.FormatFloat(points, 'f', -1, 64), reason, strconv.Itoa(day)}, "\x00")))
	return "c-" + hex.EncodeToString(sum[:12])
}
