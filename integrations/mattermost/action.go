package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// doneAction names the défi button's action, in its id and its context.
const doneAction = "gigabotdone"

// doneButton is the défi card's button. Mattermost keeps an action's
// context on the server (clients never see it) and sends it back with each
// click; the context is signed so that only clicks relayed by the server
// count, and bound to the channel so that a context cannot be replayed
// elsewhere.
func (a *Adapter) doneButton(channelID string, msg bot.Message) *model.PostAction {
	day := strconv.Itoa(msg.Day)
	return &model.PostAction{
		Id: doneAction, Type: model.PostActionTypeButton, Name: a.loc.T("chat.button"), Style: "success",
		Integration: &model.PostActionIntegration{
			URL: a.cfg.PublicURL + ActionPath,
			Context: map[string]any{
				"action": doneAction, "channel_id": channelID, "reaction": msg.Reaction, "day": day,
				"sig": a.sign(channelID, msg.Reaction, day),
			},
		},
	}
}

func (a *Adapter) sign(channelID, reaction, day string) string {
	mac := hmac.New(sha256.New, a.actionKey)
	mac.Write([]byte(doneAction + "\x00" + channelID + "\x00" + reaction + "\x00" + day))
	return hex.EncodeToString(mac.Sum(nil))
}

// verifyAction checks a click's context: the bot signed it, for this channel.
func (a *Adapter) verifyAction(req *model.PostActionIntegrationRequest) bool {
	field := func(k string) string { s, _ := req.Context[k].(string); return s }
	channel, reaction, day, sig := field("channel_id"), field("reaction"), field("day"), field("sig")
	if field("action") != doneAction || channel == "" || reaction == "" || req.PostId == "" || req.UserId == "" {
		return false
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(a.sign(channel, reaction, day))
	return err == nil && hmac.Equal(got, want) && req.ChannelId == channel
}

// ActionHandler serves the défi button (POST ActionPath): a click goes to
// the core, which counts it as the campaign's reaction on the défi post
// when it should. A click whose context does not carry the bot's
// signature gets 401 and reaches nothing. The clicker gets the core's
// answer, ephemeral.
func (a *Adapter) ActionHandler(h bot.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var req model.PostActionIntegrationRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if !a.verifyAction(&req) {
			a.log.Warn("mattermost: button click refused: bad signature", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if !a.connected.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		user := a.formUser(r.Context(), req.UserId, req.UserName)
		click := bot.Click{User: user, PostID: req.PostId}
		if k, ok := a.dir.key(req.ChannelId); ok {
			click.Channel = k
		}
		out, err := h.Click(r.Context(), click)
		if err != nil {
			a.log.Warn("mattermost: button click failed", "user", user, "post", req.PostId, "err", err)
		}
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: out.Text})
	})
}
