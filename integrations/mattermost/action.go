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
		Id: doneAction, Type: model.PostActionTypeButton, Name: a.text.button, Style: "success",
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

// verifyAction checks a click's context and returns the reaction it counts as.
func (a *Adapter) verifyAction(req *model.PostActionIntegrationRequest) (string, bool) {
	field := func(k string) string { s, _ := req.Context[k].(string); return s }
	channel, reaction, day, sig := field("channel_id"), field("reaction"), field("day"), field("sig")
	if field("action") != doneAction || channel == "" || reaction == "" || req.PostId == "" || req.UserId == "" {
		return "", false
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(a.sign(channel, reaction, day))
	if err != nil || !hmac.Equal(got, want) || req.ChannelId != channel {
		return "", false
	}
	return reaction, true
}

// ActionHandler serves the défi button (POST ActionPath): a click counts
// as the campaign's reaction on the défi post. A click whose context does
// not carry the bot's signature gets 401 and counts nothing. The clicker
// gets an ephemeral confirmation.
func (a *Adapter) ActionHandler(h Handler) http.Handler {
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
		reaction, ok := a.verifyAction(&req)
		if !ok {
			a.log.Warn("mattermost: button click refused: bad signature", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if !a.connected.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		user := a.formUser(r.Context(), req.UserId, req.UserName)
		ev := bot.Event{Kind: bot.ReactionAdded, User: user, PostID: req.PostId, Reaction: reaction}
		if k, ok := a.dir.key(req.ChannelId); ok {
			ev.Channel = k
		}
		answer := a.text.done
		if _, member := a.campaign.TeamOf(user); !member {
			answer = a.text.outside
		}
		if err := h.Handle(r.Context(), ev); err != nil {
			a.log.Warn("mattermost: button click failed", "user", user, "post", req.PostId, "err", err)
			answer = a.text.failed
		}
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: answer})
	})
}

// texts are the few words the adapter says itself.
type texts struct {
	button, done, outside, failed string
	commandDesc, commandHint      string
}

func textsFor(language string) texts {
	if language == "en" {
		return texts{
			button:      "I did the challenge ✅",
			done:        "Noted: challenge done ✅",
			outside:     "You are not in any team of the campaign: this click does not count.",
			failed:      "Sorry, that did not work: try again, or react with the emoji.",
			commandDesc: "Giga Déstockage: today's challenge, rankings, your team",
			commandHint: "[help|challenge|ranking|team|me]",
		}
	}
	return texts{
		button:      "J'ai relevé le défi ✅",
		done:        "C’est noté\u00a0: défi relevé ✅",
		outside:     "Vous ne faites partie d’aucune équipe de la campagne\u00a0: ce clic ne compte pas.",
		failed:      "Désolé, cela n’a pas fonctionné\u00a0: réessayez, ou réagissez avec l’emoji.",
		commandDesc: "Giga Déstockage\u00a0: défi du jour, classement, votre équipe",
		commandHint: "[aide|defi|classement|equipe|moi]",
	}
}
