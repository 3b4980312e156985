package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// ErrUnknownChannel is returned by Post for a channel name that matched no
// Slack channel at start-up.
var ErrUnknownChannel = errors.New("slack: unknown channel")

// Post sends a message to a channel — a config channel name, the channel
// an event came from, or the reply address of a slash command — rendered
// in Block Kit with msg.Text as the notification fallback. It returns
// "CHANNELID/ts", the id reactions and clicks on the message carry (an
// ephemeral answer has none: ""). It waits for the channel's pace and
// Slack's rate limits and retries failures until ctx ends; it returns an
// error only when nothing was posted as far as Slack told (see the package
// comment for a request lost after it was sent). msg.Files are shared after
// the message (see share); their failure does not fail the post.
func (a *Adapter) Post(ctx context.Context, channel string, msg bot.Message) (string, error) {
	if r, ok := a.replies.get(channel); ok {
		return a.answer(ctx, channel, r, msg)
	}
	id, ok := a.dir.channelID(channel)
	if !ok {
		return "", fmt.Errorf("%w %q: check the config's name, or invite the bot to the channel and restart it", ErrUnknownChannel, channel)
	}
	return a.postMessage(ctx, id, channel, msg)
}

func (a *Adapter) postMessage(ctx context.Context, id, channel string, msg bot.Message) (string, error) {
	text, blocks := a.render(msg, true)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionDisableLinkUnfurl()}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	var gotChannel, ts string
	send := func(ctx context.Context) (err error) {
		gotChannel, ts, err = a.api.PostMessageContext(ctx, id, opts...)
		return err
	}
	err := a.call(ctx, "chat.postMessage", id, send)
	if slackErrorCode(err) == "not_in_channel" && !strings.HasPrefix(id, "D") {
		// Removed from the channel since start-up: join again (public
		// channels only; a private one has to invite the bot).
		if jerr := a.join(ctx, id); jerr == nil {
			a.log.Info("slack: joined a channel again to post", "channel", channel)
			err = a.call(ctx, "chat.postMessage", id, send)
		}
	}
	if err != nil {
		return "", fmt.Errorf("slack: post to %s: %s: %w", channel, describe(err), err)
	}
	if gotChannel == "" {
		gotChannel = id
	}
	// The files go in the background: the bot marks the post sent as soon
	// as this returns, and an upload's retries must not widen the window
	// in which a crash would have the text sent twice.
	if len(msg.Files) > 0 && !a.spawn(func(ctx context.Context) { a.share(ctx, gotChannel, msg.Files) }) {
		a.log.Warn("slack: shutting down: the message's files were not shared", "channel", channel, "files", len(msg.Files))
	}
	return postID(gotChannel, ts), nil
}

// answer posts the answer to a slash command: through the command's
// response URL while Slack accepts it (5 times in 30 minutes), ephemeral
// unless the command asked for "public"; past that, or when Slack refuses
// the URL, as a message (public) or with chat.postEphemeral.
func (a *Adapter) answer(ctx context.Context, token string, r reply, msg bot.Message) (string, error) {
	text, blocks := a.render(msg, false)
	if a.replies.use(token, a.clock.Now()) {
		hook := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral"}
		if r.public {
			hook.ResponseType = "in_channel"
		}
		if len(blocks) > 0 {
			hook.Blocks = &slack.Blocks{BlockSet: blocks}
		}
		err := a.call(ctx, "response_url", "", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, r.url, a.http, hook)
		})
		if err == nil {
			a.shareAnswer(ctx, r, msg.Files)
			return "", nil
		}
		if ctx.Err() != nil {
			return "", withoutURL(err)
		}
		a.log.Warn("slack: the command's response URL refused the answer: posting it another way", "err", withoutURL(err))
	}
	if r.public {
		return a.postMessage(ctx, r.channel, a.dir.channelName(r.channel), msg)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	err := a.call(ctx, "chat.postEphemeral", r.channel, func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, r.channel, r.user, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack: answer a command: %s: %w", describe(err), err)
	}
	a.shareAnswer(ctx, r, msg.Files)
	return "", nil
}

// shareAnswer uploads the files of a command's answer: in the command's
// channel when the answer is public, else in a direct message with the
// user (a file cannot be ephemeral).
func (a *Adapter) shareAnswer(ctx context.Context, r reply, files []bot.File) {
	if r.public {
		a.share(ctx, r.channel, files)
		return
	}
	a.shareWithUser(ctx, r.user, files)
}

// reply is where the answers to one slash command go.
type reply struct {
	url     string
	channel string // channel ID
	user    string // user ID
	public  bool
	uses    int
	expires time.Time
}

// Slack accepts up to 5 answers through a response URL, for 30 minutes.
const (
	replyUses = 5
	replyTTL  = 30 * time.Minute
)

// replies maps the reply addresses handed to the core as event channels
// ("slash:7", which no Slack channel name can be) to the slash commands
// they answer.
type replies struct {
	mu sync.Mutex
	n  int
	m  map[string]*reply
}

func newReplies() *replies { return &replies{m: map[string]*reply{}} }

const replyPrefix = "slash:"

// add records a command's reply and returns its address.
func (rs *replies) add(r reply, now time.Time) string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for k, old := range rs.m {
		if now.After(old.expires) {
			delete(rs.m, k)
		}
	}
	rs.n++
	token := replyPrefix + strconv.Itoa(rs.n)
	r.expires = now.Add(replyTTL)
	rs.m[token] = &r
	return token
}

func (rs *replies) get(token string) (reply, bool) {
	if !strings.HasPrefix(token, replyPrefix) {
		return reply{}, false
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.m[token]
	if !ok {
		return reply{}, false
	}
	return *r, true
}

// use takes one answer through the response URL, if Slack still takes one.
func (rs *replies) use(token string, now time.Time) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.m[token]
	if !ok || r.url == "" || r.uses >= replyUses || now.After(r.expires) {
		return false
	}
	r.uses++
	return true
}
