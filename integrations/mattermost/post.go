package mattermost

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// propKey is the post property that carries a post's idempotency key, so
// that a retry can find the post an earlier, unanswered attempt created.
const propKey = "gigabot_key"

// unsettledFor is how long the adapter remembers a post whose every attempt
// went unanswered: sent again within that time, it is looked for first.
const unsettledFor = time.Hour

type unsettledPost struct {
	key string
	at  time.Time
}

// Post sends msg to a channel and returns the post's id. channel is a
// campaign channel's name, "@user" for a direct message, the channel of an
// event ("name/ROOTID" answers in a thread), or a slash command's reply
// route. The défi card, the recap, the podium and the milestones are
// rendered as message attachments, the défi with its button. msg.Files are
// uploaded first and attached; one the server refuses is left out (see
// upload). A slash command's answer has its files posted apart (see
// shareReplyFiles).
//
// A post that fails with 429, 5xx or no answer is retried with backoff; the
// server deduplicates the retries by their pending_post_id, and after an
// unanswered attempt the adapter looks for the post before sending it again.
func (a *Adapter) Post(ctx context.Context, channel string, msg bot.Message) (string, error) {
	if id, route, ok := a.collectReply(channel, msg); ok {
		a.shareReplyFiles(ctx, route, msg.Files)
		return id, nil
	}
	if !a.connected.Load() {
		return "", ErrNotConnected
	}
	channelID, rootID, err := a.target(ctx, channel)
	if err != nil {
		return "", fmt.Errorf("mattermost: post to %s: %w", channel, err)
	}
	post := a.render(msg, channelID)
	post.ChannelId, post.RootId = channelID, rootID
	post.FileIds = a.upload(ctx, channelID, msg.Files)
	id, err := a.create(ctx, post)
	if err != nil {
		return "", fmt.Errorf("mattermost: post to %s: %w", channel, err)
	}
	a.trackBotPost(id)
	return id, nil
}

// create sends a post, retrying without ever doubling it.
func (a *Adapter) create(ctx context.Context, post *model.Post) (string, error) {
	sum := contentSum(post)
	key, look := a.pendingKey(sum)
	post.PendingPostId = key
	post.AddProp(propKey, key)
	for n := 1; ; n++ {
		if look {
			if id, ok := a.findPosted(ctx, post.ChannelId, key); ok {
				a.settle(sum)
				return id, nil
			}
		}
		created, resp, err := a.client.CreatePost(ctx, post)
		if err == nil {
			a.settle(sum)
			return created.Id, nil
		}
		v := judge(ctx, resp, err)
		failed := &apiError{op: "create post", err: err}
		if resp != nil {
			failed.status = resp.StatusCode
		}
		look = look || v.unsure
		if !v.retry || n >= a.retries {
			if look {
				a.unsettle(sum, key)
			}
			return "", failed
		}
		wait := max(v.wait, a.backoff(n, restBackoff, restMaxWait))
		a.log.Warn("mattermost: retrying a post", "status", failed.status, "attempt", n, "wait", wait, "err", err)
		if err := a.sleep(ctx, wait); err != nil {
			if look {
				a.unsettle(sum, key)
			}
			return "", failed
		}
	}
}

// contentSum identifies what a post says and where.
func contentSum(p *model.Post) string {
	h := sha256.New()
	atts, _ := json.Marshal(p.GetProp(model.PostPropsAttachments))
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", p.ChannelId, p.RootId, p.Message, atts)
	return hex.EncodeToString(h.Sum(nil))
}

// pendingKey returns the idempotency key of a post: the bot's id (as
// Mattermost's own clients do), the post's content sum and a nonce, so that
// two identical answers to two questions are two posts. A post whose last
// sending went unanswered keeps its key, and is looked for first.
func (a *Adapter) pendingKey(sum string) (key string, look bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.clock.Now()
	for s, u := range a.unsettled {
		if now.Sub(u.at) > unsettledFor {
			delete(a.unsettled, s)
		}
	}
	if u, ok := a.unsettled[sum]; ok {
		return u.key, true
	}
	return a.botID + ":" + sum[:16] + strings.ToLower(rand.Text()[:10]), false
}

func (a *Adapter) unsettle(sum, key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unsettled[sum] = unsettledPost{key: key, at: a.clock.Now()}
}

func (a *Adapter) settle(sum string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.unsettled, sum)
}

// findPosted looks among the channel's latest posts for the bot's post
// carrying key.
func (a *Adapter) findPosted(ctx context.Context, channelID, key string) (string, bool) {
	list, _, err := a.client.GetPostsForChannel(ctx, channelID, 0, 60, "", false, false)
	if err != nil {
		a.log.Warn("mattermost: cannot check whether a post went out", "err", err)
		return "", false
	}
	for _, p := range list.Posts {
		if p.UserId == a.botID && p.GetProp(propKey) == key {
			return p.Id, true
		}
	}
	return "", false
}

// attachmentColors are the side bars of the posts rendered as attachments.
var attachmentColors = map[bot.MessageKind]string{
	bot.KindDefi:      "#2e7d32",
	bot.KindRecap:     "#1565c0",
	bot.KindPodium:    "#f9a825",
	bot.KindMilestone: "#8e24aa",
}

// render turns a message into a post: its first line as the message, the
// rest in an attachment for the kinds that have one. A défi posted in a
// campaign channel gets the button, when the bot can receive its clicks;
// elsewhere (a direct message, a slash command's answer: channelID "") a
// click would count for nothing, as a reaction would.
func (a *Adapter) render(msg bot.Message, channelID string) *model.Post {
	text := markdown(msg.Text)
	color, rich := attachmentColors[msg.Kind]
	if !rich {
		return &model.Post{Message: text}
	}
	head, body, _ := strings.Cut(text, "\n")
	att := &model.SlackAttachment{Fallback: msg.Text, Color: color, Text: body}
	if msg.Kind == bot.KindDefi && msg.Reaction != "" && a.cfg.PublicURL != "" && a.dir.isCampaignChannel(channelID) {
		att.Actions = []*model.PostAction{a.doneButton(channelID, msg)}
	}
	post := &model.Post{Message: head}
	post.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{att})
	return post
}

// slackBold is a *bold* span of the core's light Markdown, which Mattermost
// reads as italics: it wants **bold**.
var slackBold = regexp.MustCompile(`(^|[^\w*])\*([^*\s\n](?:[^*\n]*[^*\s\n])?)\*`)

// markdown turns the core's light Markdown into Mattermost's, leaving code
// spans alone.
func markdown(s string) string {
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = slackBold.ReplaceAllString(parts[i], "$1**$2**")
	}
	return strings.Join(parts, "`")
}

// trackBotPost notes a post of the bot, whose reactions may count.
func (a *Adapter) trackBotPost(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.known[id]; !ok {
		a.known[id] = map[string]int64{}
	}
}
