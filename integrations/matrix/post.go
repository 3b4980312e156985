package matrix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync/atomic"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/gigabot/gigabot/bot"
)

// errUnknownRoom is returned by Post for a channel that names no room.
var errUnknownRoom = errors.New("unknown room")

// Post sends msg to a room and returns its event id, whose reactions the
// core may count. channel is a campaign room's configured name or a room
// id (the room of an event). The text goes as one event, with the core's
// light Markdown rendered as HTML and a plain body; each file follows as
// an m.image (or m.file) event. A file that cannot be sent is logged and
// left out: the text is complete without it.
//
// The send is idempotent: its transaction id is derived from the post's
// ledger key (msg.Key) or from the event a reply answers, so that sending
// it again (after a crash, or a retry of the whole handling) gives back
// the same event rather than a second one.
func (a *Adapter) Post(ctx context.Context, channel string, msg bot.Message) (string, error) {
	if !a.connected.Load() {
		return "", ErrNotConnected
	}
	room, ok := a.dir.room(channel)
	if !ok {
		return "", fmt.Errorf("matrix: post to %s: %w %q", channel, errUnknownRoom, channel)
	}
	txn := a.txnBase(ctx, room, msg)
	resp, err := a.client.SendMessageEvent(ctx, room, event.EventMessage, render(msg), mautrix.ReqSendEvent{TransactionID: txn.id("text")})
	if err != nil {
		return "", fmt.Errorf("matrix: post to %s: %w", channel, err)
	}
	for i, f := range msg.Files {
		if err := a.sendFile(ctx, room, f, txn.id(fmt.Sprintf("file%d", i))); err != nil {
			a.log.Warn("matrix: a file could not be sent: the post went without it", "room", channel, "file", f.Name, "err", err)
		}
	}
	return resp.EventID.String(), nil
}

// txnName derives transaction ids; an empty one leaves them to mautrix
// (a fresh id per send).
type txnName string

func (t txnName) id(part string) string {
	if t == "" {
		return ""
	}
	return string(t) + "." + part
}

// replyKey marks a context handling one Matrix event: the core's replies
// in it take their transaction ids from the event.
type replyKey struct{}

type replyTo struct {
	event id.EventID
	n     atomic.Int64 // the posts sent so far while handling it
}

func withReplyTo(ctx context.Context, ev id.EventID) context.Context {
	return context.WithValue(ctx, replyKey{}, &replyTo{event: ev})
}

// txnBase names a send: a ledger post by its key and room, a reply by the
// event it answers and its rank among the answers. Both are the same
// however often they are sent, so the server keeps one event. Anything
// else gets fresh ids.
func (a *Adapter) txnBase(ctx context.Context, room id.RoomID, msg bot.Message) txnName {
	var seed string
	switch r, _ := ctx.Value(replyKey{}).(*replyTo); {
	case msg.Key != "":
		seed = "ledger\x00" + msg.Key
	case r != nil:
		seed = fmt.Sprintf("reply\x00%s\x00%d", r.event, r.n.Add(1))
	default:
		return ""
	}
	sum := sha256.Sum256([]byte(seed + "\x00" + room.String()))
	return txnName("gigabot." + hex.EncodeToString(sum[:16]))
}

// sendFile uploads a file and posts it: an image as m.image, anything
// else as m.file, with its description as the body.
func (a *Adapter) sendFile(ctx context.Context, room id.RoomID, f bot.File, txn string) error {
	if len(f.Data) == 0 {
		return errors.New("the file is empty")
	}
	up, err := a.client.UploadBytesWithName(ctx, f.Data, f.MIME, f.Name)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	kind := event.MsgFile
	if strings.HasPrefix(f.MIME, "image/") {
		kind = event.MsgImage
	}
	body := f.Alt
	if body == "" {
		body = f.Name
	}
	content := &event.MessageEventContent{
		MsgType: kind, Body: body, FileName: f.Name, URL: up.ContentURI.CUString(),
		Info: &event.FileInfo{MimeType: f.MIME, Size: len(f.Data)}, Mentions: &event.Mentions{},
	}
	if _, err := a.client.SendMessageEvent(ctx, room, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn}); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// render turns a message into an m.room.message: a notice for a reply
// (bots answer notices with nothing, so two bots never talk forever), text
// for the rest. m.mentions is always set, so that clients and servers that
// read it notify nobody but those named: nobody, or the whole room for an
// announcement or a call to mobilisation whose author wrote @room.
func render(msg bot.Message) *event.MessageEventContent {
	kind := event.MsgText
	if msg.Kind == bot.KindReply {
		kind = event.MsgNotice
	}
	// The core names the emoji as Slack and Mattermost spell it; Matrix
	// clients show the character.
	text := strings.ReplaceAll(msg.Text, ":white_check_mark:", "✅")
	mentions := &event.Mentions{}
	if (msg.Kind == bot.KindAnnouncement || msg.Kind == bot.KindMobilisation) && strings.Contains(msg.Text, "@room") {
		mentions.Room = true
	}
	return &event.MessageEventContent{
		MsgType: kind, Body: plain(text), Format: event.FormatHTML, FormattedBody: toHTML(text), Mentions: mentions,
	}
}

// The core's light Markdown: *bold*, _italic_, `code`.
var (
	boldSpan   = regexp.MustCompile(`(^|[^\w*])\*([^*\s](?:[^*\n]*[^*\s])?)\*`)
	italicSpan = regexp.MustCompile(`(^|[^\w_])_([^_\s](?:[^_\n]*[^_\s])?)_($|[^\w_])`)
)

// spans applies text to the parts of s outside code spans and code to
// the inside of each, and joins them.
func spans(s string, text, code func(string) string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick is text
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(text(p))
		} else {
			b.WriteString(code(p))
		}
	}
	return b.String()
}

// toHTML renders the core's light Markdown as org.matrix.custom.html,
// escaping everything else: what a user wrote stays text.
func toHTML(s string) string {
	out := spans(s, func(p string) string {
		p = html.EscapeString(p)
		p = boldSpan.ReplaceAllString(p, "$1<strong>$2</strong>")
		return italicSpan.ReplaceAllString(p, "$1<em>$2</em>$3")
	}, func(p string) string { return "<code>" + html.EscapeString(p) + "</code>" })
	return strings.ReplaceAll(out, "\n", "<br>")
}

// plain is the body: the text without its bold and italic marks (code
// keeps its backticks, which read as quotes).
func plain(s string) string {
	return spans(s, func(p string) string {
		p = boldSpan.ReplaceAllString(p, "$1$2")
		return italicSpan.ReplaceAllString(p, "$1$2$3")
	}, func(p string) string { return "`" + p + "`" })
}
