package slack

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// Slack's Block Kit limits.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonText  = 75
)

// render turns a post into its notification text and its blocks. The
// défi card gets its button only where it can be clicked for real
// (interactive: not in an ephemeral answer). Replies stay plain text:
// Slack renders the core's light Markdown as is. Announcements and calls
// to mobilisation keep the channel mentions their authors wrote; no other
// post can notify a whole channel.
func (a *Adapter) render(msg bot.Message, interactive bool) (string, []slack.Block) {
	esc := escape
	if msg.Kind == bot.KindAnnouncement || msg.Kind == bot.KindMobilisation {
		esc = escapeAnnouncement
	}
	text := esc(msg.Text)
	var blocks []slack.Block
	switch {
	case msg.Kind == bot.KindDefi && msg.Defi != nil:
		blocks = a.defiBlocks(msg, interactive)
	case msg.Kind == bot.KindReply || msg.Kind == "":
		return text, nil
	default:
		blocks = sections(msg.Text, esc)
	}
	if len(blocks) > maxBlocks {
		return text, nil
	}
	return text, blocks
}

// defiBlocks is the défi card: title, day n/N, numbered steps, tip, what it
// saves, and the button that counts like the reaction. Its labels are the
// core's (the "chat." messages of its catalog).
func (a *Adapter) defiBlocks(msg bot.Message, interactive bool) []slack.Block {
	d := msg.Defi
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("🗂️ "+d.Title, maxHeaderText)),
		slack.NewContextBlock("", markdown(a.loc.T("chat.card.day", msg.Day, msg.Days))),
	}
	if len(d.Steps) > 0 {
		steps := make([]string, len(d.Steps))
		for i, s := range d.Steps {
			steps[i] = "*" + strconv.Itoa(i+1) + ".* " + escape(s)
		}
		blocks = append(blocks, sectionBlocks(strings.Join(steps, "\n"))...)
	}
	if d.Tip != "" {
		blocks = append(blocks, sectionBlocks(a.loc.T("chat.card.tip", escape(d.Tip)))...)
	}
	if d.Saves != "" {
		blocks = append(blocks, slack.NewContextBlock("", markdown(clip(a.loc.T("chat.card.saves", escape(d.Saves)), maxSectionText))))
	}
	if interactive {
		emoji := msg.Reaction
		if emoji == "" {
			emoji = a.roster.Reaction
		}
		button := slack.NewButtonBlockElement(defiDoneAction, emoji, plain(a.loc.T("chat.button"), maxButtonText)).WithStyle(slack.StylePrimary)
		blocks = append(blocks,
			slack.NewActionBlock("defi", button),
			slack.NewContextBlock("", markdown(a.loc.T("chat.card.hint", shortcode(emoji)))))
	}
	return blocks
}

// shortcode writes an emoji name as Slack shows it (":white_check_mark:"),
// and leaves an emoji character as it is.
func shortcode(emoji string) string {
	name := strings.Trim(emoji, ":")
	if emojiName.MatchString(name) {
		return ":" + name + ":"
	}
	return emoji
}

var (
	emojiName = regexp.MustCompile(`^[a-z0-9_+'-]+$`)
	// titleLine is a first line that is all bold, after an optional emoji:
	// "📊 *Bilan du jour 3/15*".
	titleLine = regexp.MustCompile(`^(\S+\s+)?\*([^*]+)\*$`)
	// headingLine starts a new part: "🏆 *Classement aux points*".
	headingLine = regexp.MustCompile(`^(\S+\s+)?\*[^*]+\*`)
	// listLine is an item of a list: "🥇 1. Routes : 30 pts", "• aide".
	listLine = regexp.MustCompile(`^((\S+\s+)?\d+\.|[•-])\s`)
	// footnoteLine is an italic aside in brackets, such as the assumptions
	// behind the equivalences: it goes small, in a context block.
	footnoteLine = regexp.MustCompile(`^_\(.*\)_$`)
)

// sections lays the core's text out as blocks: its title line as a
// header, a section per part (a part starts at a bold heading line and
// ends after its list, if it has one), and footnotes as context; esc
// writes each part for mrkdwn (escape or escapeAnnouncement).
func sections(text string, esc func(string) string) []slack.Block {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	var blocks []slack.Block
	if m := titleLine.FindStringSubmatch(lines[0]); m != nil {
		blocks = append(blocks, slack.NewHeaderBlock(plain(m[1]+m[2], maxHeaderText)))
		lines = lines[1:]
	}
	var part []string
	inList := false
	flush := func() {
		if len(part) > 0 {
			blocks = append(blocks, sectionBlocks(esc(strings.Join(part, "\n")))...)
			part, inList = nil, false
		}
	}
	for _, l := range lines {
		item := listLine.MatchString(l)
		switch {
		case strings.TrimSpace(l) == "":
			flush()
		case footnoteLine.MatchString(l):
			flush()
			blocks = append(blocks, slack.NewContextBlock("", markdown(clip(esc(l), maxSectionText))))
		case headingLine.MatchString(l), inList && !item:
			flush()
		}
		if strings.TrimSpace(l) != "" && !footnoteLine.MatchString(l) {
			part = append(part, l)
			inList = inList || item
		}
	}
	flush()
	return blocks
}

// sectionBlocks puts mrkdwn text in as many sections as Slack's length
// limit asks, cutting between lines.
func sectionBlocks(text string) []slack.Block {
	var blocks []slack.Block
	var cur strings.Builder
	emit := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, slack.NewSectionBlock(markdown(cur.String()), nil, nil))
			cur.Reset()
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = clip(line, maxSectionText)
		if utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(line) > maxSectionText {
			emit()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
	}
	emit()
	return blocks
}

func markdown(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string, max int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, clip(s, max), true, false)
}

// clip shortens s to max characters, marking the cut.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

var (
	// token matches what Slack's mrkdwn draws from angle brackets and the
	// bot lets through: user and channel mentions and links. Broadcasts
	// ("<!channel>", "<!here>") are not among them, so that no post but an
	// announcement notifies a whole channel. What users wrote never
	// matches: the core breaks their "<" and "@" (bot.Neutralise).
	token = regexp.MustCompile(`<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|(?:https?://|mailto:)[^\s<>|]+)(?:\|[^<>]*)?>`)
	// broadcastToken adds the mentions that notify a whole channel or a
	// user group, which a coordinator's announcement keeps: "<!channel>",
	// "<!here>", "<!everyone>", "<!subteam^S0123|@group>".
	broadcastToken = regexp.MustCompile(token.String() + `|<!(?:channel|here|everyone)(?:\|[^<>]*)?>|<!subteam\^[A-Z0-9]+(?:\|[^<>]*)?>`)
)

// escape writes text for Slack's mrkdwn: "&", "<" and ">" become entities,
// except in the mentions and links token lets through.
func escape(text string) string { return escapeExcept(text, token) }

// escapeAnnouncement is escape for an announcement: its author's channel
// and group mentions go through too.
func escapeAnnouncement(text string) string { return escapeExcept(text, broadcastToken) }

// escapeExcept writes "&", "<" and ">" as entities outside what keep matches.
func escapeExcept(text string, keep *regexp.Regexp) string {
	var b strings.Builder
	last := 0
	for _, loc := range keep.FindAllStringIndex(text, -1) {
		b.WriteString(escapeChars.Replace(text[last:loc[0]]))
		b.WriteString(text[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(escapeChars.Replace(text[last:]))
	return b.String()
}

var escapeChars = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
