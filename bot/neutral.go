package bot

import "strings"

// Neutralise breaks every mention in a text a user wrote, so that the bot
// can repeat it without pinging anyone on any platform: a zero-width space
// (U+200B) follows each "@" and each "<". What people read is unchanged,
// but no platform sees a mention any more:
//   - Mattermost cuts words at characters that cannot be in a name, so
//     "@\u200bchannel" is a lone "@" and a plain word: neither @channel,
//     @all, @here nor @username notifies anyone;
//   - Slack reads a mention only as "<!channel>", "<!here>", "<!everyone>",
//     "<!subteam^…>" or "<@U123>", and its automatic parsing of mrkdwn only
//     "@" glued to a name; the Slack adapter also writes "<" as "&lt;";
//   - Matrix notifies the room for "@room" and users for their ids.
//
// The core calls it on every piece of user text it puts in a message
// (echoes, searched names, correction reasons, display names). The text of
// an announcement or a mobilisation is the coordinator's or the DGS's own
// message to everyone and keeps its mentions.
//
// It is idempotent: a mention already broken is left as it is.
func Neutralise(text string) string {
	if !strings.ContainsAny(text, "@<") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 8)
	for i, r := range text {
		b.WriteRune(r)
		if (r == '@' || r == '<') && !strings.HasPrefix(text[i+1:], zeroWidthSpace) {
			b.WriteString(zeroWidthSpace)
		}
	}
	return b.String()
}

const zeroWidthSpace = "\u200b"

// quote makes what a user typed fit to be quoted back: short (see clip)
// and pinging nobody (see Neutralise).
func quote(s string) string {
	return Neutralise(clip(s))
}
