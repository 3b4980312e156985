package mattermost

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

var (
	chart  = bot.File{Name: "classement-jour-3.png", MIME: "image/png", Alt: "Classement du jour 3 : Routes en tête", Data: []byte("\x89PNG\r\n\x1a\nchart")}
	export = bot.File{Name: "export.csv", MIME: "text/csv", Alt: "Scores par équipe", Data: []byte("equipe;octets\nroutes;12000000000\n")}
)

// attachedAs checks that a post carries the files, whole, in its channel.
func (e *env) attachedAs(p *model.Post, want ...bot.File) {
	e.t.Helper()
	got := e.mm.attached(p)
	if len(got) != len(want) || len(p.FileIds) != len(want) {
		e.t.Fatalf("post %q carries %d files (%d ids), want %d", p.Message, len(got), len(p.FileIds), len(want))
	}
	for i, w := range want {
		if g := got[i]; !bytes.Equal(g.data, w.Data) || g.info.Name != w.Name || g.info.ChannelId != p.ChannelId {
			e.t.Errorf("file %d: %s in %s, %q; want %s in %s, %q", i, g.info.Name, g.info.ChannelId, g.data, w.Name, p.ChannelId, w.Data)
		}
	}
}

func TestPostUploadsFilesAndAttachesThem(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	routes := e.mm.channel("equipe-routes")
	text := "Bilan du jour 3\n1. Routes : 12 Go\n2. Culture : 4 Go"
	id, err := e.a.Post(context.Background(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: text, Files: []bot.File{chart, export}})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	posts := e.mm.botPosts(routes.Id)
	if len(posts) != 1 || posts[0].Id != id || posts[0].Message != text {
		t.Fatalf("posts %+v, want the whole text once, with id %s", posts, id)
	}
	e.attachedAs(posts[0], chart, export)
}

func TestFileFailuresKeepThePost(t *testing.T) {
	tests := []struct {
		name   string
		faults []int
		files  []bot.File
		kept   []bot.File
	}{
		{name: "uploads forbidden", faults: []int{http.StatusForbidden}, files: []bot.File{chart}},
		{name: "file too large", faults: []int{http.StatusRequestEntityTooLarge}, files: []bot.File{chart}},
		{name: "the server keeps failing", faults: []int{500, 502, 503, 500, 500, 500}, files: []bot.File{chart}},
		{name: "the first fails, the second goes", faults: []int{http.StatusRequestEntityTooLarge}, files: []bot.File{chart, export}, kept: []bot.File{export}},
		{name: "a failure, then the upload goes", faults: []int{http.StatusBadGateway}, files: []bot.File{chart}, kept: []bot.File{chart}},
		{name: "an empty file", files: []bot.File{{Name: "vide.csv", MIME: "text/csv"}, chart}, kept: []bot.File{chart}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := newFake(t)
			mm.uploadFaults = tt.faults
			e := newEnv(t, mm, nil)
			id, err := e.a.Post(context.Background(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "Bilan du jour 3", Files: tt.files})
			if err != nil || id == "" {
				t.Fatalf("Post = %q, %v; want the text posted and no error", id, err)
			}
			posts := e.mm.botPosts(e.mm.channel("equipe-routes").Id)
			if len(posts) != 1 || posts[0].Message != "Bilan du jour 3" {
				t.Fatalf("posts %+v, want the text once", posts)
			}
			e.attachedAs(posts[0], tt.kept...)
			if len(tt.kept) < len(tt.files) && !strings.Contains(e.logs.String(), "could not be uploaded") {
				t.Errorf("the failure was not logged")
			}
		})
	}
}

// filesAnswer answers every command with a text and two files.
type filesAnswer struct{ a *Adapter }

func (h filesAnswer) Handle(ctx context.Context, ev bot.Event) error {
	_, err := h.a.Post(ctx, ev.Channel, bot.Message{Kind: bot.KindReply, Text: "Export du jour 3", Files: []bot.File{chart, export}})
	return err
}

func TestSlashCommandAnswerFiles(t *testing.T) {
	tests := []struct {
		name, text string
		respType   string
		// in names where the files go: "dm" (alice's direct message with
		// the bot) or the command's channel.
		in string
	}{
		{"ephemeral answer: files in a direct message", "export", model.CommandResponseTypeEphemeral, "dm"},
		{"public answer: files in the channel", "public export", model.CommandResponseTypeInChannel, "equipe-routes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, newFake(t), nil)
			e.rec.Next = filesAnswer{e.a}
			alice, routes := e.mm.user("alice"), e.mm.channel("equipe-routes")
			status, resp := e.slash(http.MethodPost, url.Values{
				"token": {commandToken}, "team_id": {e.mm.team.Id}, "channel_id": {routes.Id}, "channel_name": {routes.Name},
				"user_id": {alice.Id}, "user_name": {alice.Username}, "command": {"/giga"}, "text": {tt.text},
			}, nil)
			if status != http.StatusOK || resp.ResponseType != tt.respType || resp.Text != "Export du jour 3" {
				t.Fatalf("answer %d %s %q, want the whole text, %s", status, resp.ResponseType, resp.Text, tt.respType)
			}
			where := routes.Id
			if tt.in == "dm" {
				e.mm.mu.Lock()
				where = e.mm.directLocked(alice.Id, e.mm.bot.Id).Id
				e.mm.mu.Unlock()
			}
			posts := e.mm.botPosts(where)
			if len(posts) != 1 || !strings.Contains(posts[0].Message, chart.Alt) || !strings.Contains(posts[0].Message, export.Alt) {
				t.Fatalf("posts in %s: %+v, want one with the files and their descriptions", tt.in, posts)
			}
			e.attachedAs(posts[0], chart, export)
		})
	}
}
