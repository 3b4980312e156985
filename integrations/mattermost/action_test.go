package mattermost

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestDefiButton(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	defis := e.publishDefi()
	colleges, routes := defis["equipe-colleges"], defis["equipe-routes"]
	// contextOf returns a copy of a défi button's context.
	contextOf := func(p *model.Post) map[string]any {
		return maps.Clone(p.Attachments()[0].Actions[0].Integration.Context)
	}
	request := func(user string, channelID, postID string, ctx map[string]any) []byte {
		u := e.mm.user(user)
		body, _ := json.Marshal(&model.PostActionIntegrationRequest{
			UserId: u.Id, UserName: u.Username, ChannelId: channelID, PostId: postID, Context: ctx,
		})
		return body
	}
	forged := contextOf(colleges)
	forged["sig"] = strings.Repeat("0", 64)
	otherDay := contextOf(colleges)
	otherDay["day"] = "2"
	tests := []struct {
		name   string
		click  func() (int, *model.PostActionIntegrationResponse)
		status int
		says   string
		counts int64
	}{
		{"a member clicks: counted", func() (int, *model.PostActionIntegrationResponse) { return e.mm.click("emma", colleges.Id) },
			http.StatusOK, "C’est noté", 1},
		{"clicks again: still one défi", func() (int, *model.PostActionIntegrationResponse) { return e.mm.click("emma", colleges.Id) },
			http.StatusOK, "C’est déjà noté", 1},
		{"someone in no team: not counted", func() (int, *model.PostActionIntegrationResponse) { return e.mm.click("zoe", colleges.Id) },
			http.StatusOK, "aucune équipe", 1},
		{"forged signature", func() (int, *model.PostActionIntegrationResponse) {
			return e.mm.post(e.web.URL+ActionPath, request("farid", colleges.ChannelId, colleges.Id, forged))
		}, http.StatusUnauthorized, "", 1},
		{"signed context, altered", func() (int, *model.PostActionIntegrationResponse) {
			return e.mm.post(e.web.URL+ActionPath, request("farid", colleges.ChannelId, colleges.Id, otherDay))
		}, http.StatusUnauthorized, "", 1},
		{"a channel's context replayed in another", func() (int, *model.PostActionIntegrationResponse) {
			return e.mm.post(e.web.URL+ActionPath, request("farid", colleges.ChannelId, colleges.Id, contextOf(routes)))
		}, http.StatusUnauthorized, "", 1},
		{"no context", func() (int, *model.PostActionIntegrationResponse) {
			return e.mm.post(e.web.URL+ActionPath, request("farid", colleges.ChannelId, colleges.Id, nil))
		}, http.StatusUnauthorized, "", 1},
		{"not JSON", func() (int, *model.PostActionIntegrationResponse) {
			return e.mm.post(e.web.URL+ActionPath, []byte("token=x"))
		}, http.StatusBadRequest, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := tt.click()
			if status != tt.status || !strings.Contains(resp.EphemeralText, tt.says) {
				t.Errorf("answer = %d %q, want %d saying %q", status, resp.EphemeralText, tt.status, tt.says)
			}
			if got := e.participations("colleges"); got != tt.counts {
				t.Errorf("colleges has %d défis done, want %d", got, tt.counts)
			}
		})
	}
	if days, _ := e.store.AgentDays(t.Context(), "farid"); len(days) != 0 {
		t.Errorf("farid's refused clicks counted: days %v", days)
	}
}
