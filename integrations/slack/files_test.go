package slack

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
)

// recapWithFiles is a recap with a chart and an export attached.
func recapWithFiles() bot.Message {
	return bot.Message{Kind: bot.KindRecap, Text: "*Bilan du jour 3*\n1. Routes : 12 Go\n2. Culture : 4 Go", Files: []bot.File{
		{Name: "classement-jour-3.png", MIME: "image/png", Alt: "Classement du jour 3 : Routes en tête", Data: []byte("\x89PNG\r\n\x1a\nchart")},
		{Name: "export.csv", MIME: "text/csv", Alt: "Scores par équipe", Data: []byte("equipe;octets\nroutes;12000000000\n")},
	}}
}

// sharedAs checks that the files reached Slack whole and were shared in
// channel with their descriptions as titles and alt texts.
func sharedAs(t *testing.T, got []fakeFile, channel string, want []bot.File) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d files shared, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if !bytes.Equal(g.Data, w.Data) || g.Name != w.Name || g.Length != len(w.Data) {
			t.Errorf("file %d: %s, %d bytes %q; want %s, %q", i, g.Name, g.Length, g.Data, w.Name, w.Data)
		}
		if g.Channel != channel || g.Title != w.Alt || g.Alt != w.Alt {
			t.Errorf("file %d shared in %s titled %q (alt %q), want %s titled %q", i, g.Channel, g.Title, g.Alt, channel, w.Alt)
		}
	}
}

func TestPostSharesFilesAfterTheMessage(t *testing.T) {
	f := newFixture(t)
	msg := recapWithFiles()
	id, err := f.a.Post(t.Context(), "equipe-routes", msg)
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	f.a.work.Wait() // the files are shared in the background
	posts := f.slack.Posts()
	if len(posts) != 1 || id != "C0ROUTES1/"+posts[0].TS {
		t.Fatalf("Post = %q with posts %+v, want the message's id", id, posts)
	}
	if posts[0].Text != escape(msg.Text) {
		t.Errorf("text %q, want the whole text", posts[0].Text)
	}
	sharedAs(t, f.slack.Shared(), "C0ROUTES1", msg.Files)
	message, upload := f.slack.Requests("chat.postMessage"), f.slack.Requests("files.getUploadURLExternal")
	if len(upload) != 2 || upload[0].At.Before(message[0].At) {
		t.Errorf("uploads %v after the message %v, want two after it", upload, message)
	}
}

func TestPostWithoutFilesUploadsNothing(t *testing.T) {
	f := newFixture(t)
	if _, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "bonjour"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.slack.Requests("files.getUploadURLExternal")) + len(f.slack.Requests("conversations.open")); n != 0 {
		t.Errorf("%d file calls for a message without files", n)
	}
}

func TestFileFailuresKeepTheMessage(t *testing.T) {
	chart := recapWithFiles().Files[0]
	tests := []struct {
		name     string
		failures map[string][]fakeFailure
		files    []bot.File
		shared   int
	}{
		{name: "the app lacks files:write", files: []bot.File{chart},
			failures: map[string][]fakeFailure{"files.getUploadURLExternal": {{Error: "missing_scope"}}}},
		{name: "the upload URL keeps failing", files: []bot.File{chart},
			failures: map[string][]fakeFailure{"upload": {{Status: 500}, {Status: 502}, {Status: 503}, {Status: 500}}}},
		{name: "completing the upload is refused", files: []bot.File{chart},
			failures: map[string][]fakeFailure{"files.completeUploadExternal": {{Error: "invalid_channel"}}}},
		{name: "an empty file", files: []bot.File{{Name: "vide.csv", MIME: "text/csv", Alt: "Rien"}, chart}, shared: 1},
		{name: "the first file fails, the second goes", files: []bot.File{chart, chart}, shared: 1,
			failures: map[string][]fakeFailure{"files.getUploadURLExternal": {{Error: "invalid_arguments"}}}},
		{name: "the upload URL fails once, then takes the bytes", files: []bot.File{chart}, shared: 1,
			failures: map[string][]fakeFailure{"upload": {{Status: http.StatusBadGateway}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for method, ff := range tt.failures {
				f.slack.fail(method, ff...)
			}
			msg := bot.Message{Kind: bot.KindRecap, Text: "Bilan du jour 3", Files: tt.files}
			id, err := f.a.Post(t.Context(), "equipe-routes", msg)
			if err != nil || id == "" {
				t.Fatalf("Post = %q, %v; want the message posted and no error", id, err)
			}
			f.a.work.Wait() // the files are shared in the background
			if posts := f.slack.Posts(); len(posts) != 1 || posts[0].Text != "Bilan du jour 3" {
				t.Fatalf("posts %+v, want the text once", posts)
			}
			shared := f.slack.Shared()
			if len(shared) != tt.shared {
				t.Fatalf("%d files shared, want %d", len(shared), tt.shared)
			}
			for _, file := range shared {
				if !bytes.Equal(file.Data, chart.Data) {
					t.Errorf("shared %q, want the chart's bytes", file.Data)
				}
			}
			if tt.shared < len(tt.files) && !strings.Contains(f.logs.String(), "could not be shared") {
				t.Errorf("the failure was not logged:\n%s", f.logs)
			}
		})
	}
}

func TestFileUploadsWaitOutRateLimits(t *testing.T) {
	f := newFixture(t)
	f.slack.fail("files.getUploadURLExternal", fakeFailure{Status: http.StatusTooManyRequests, RetryAfter: "20"})
	msg := recapWithFiles()
	msg.Files = msg.Files[:1]
	if _, err := f.a.Post(t.Context(), "equipe-routes", msg); err != nil {
		t.Fatal(err)
	}
	f.a.work.Wait() // the files are shared in the background
	reqs := f.slack.Requests("files.getUploadURLExternal")
	if len(reqs) != 2 || reqs[1].At.Sub(reqs[0].At) < 20*time.Second {
		t.Fatalf("upload URL requests %v, want a second one 20s after the 429", reqs)
	}
	sharedAs(t, f.slack.Shared(), "C0ROUTES1", msg.Files)
}

func TestCommandAnswerFiles(t *testing.T) {
	tests := []struct {
		name       string
		public     bool
		noURL      bool // the response URL is spent: the answer goes through chat.postEphemeral
		sharedIn   string
		wantHook   string
		wantMethod string
	}{
		{name: "ephemeral answer: files in a direct message", sharedIn: "D0ALICE01", wantHook: "ephemeral"},
		{name: "public answer: files in the channel", public: true, sharedIn: "C0ROUTES1", wantHook: "in_channel"},
		{name: "ephemeral answer without response URL: files in a direct message", noURL: true, sharedIn: "D0ALICE01", wantMethod: "chat.postEphemeral"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := reply{url: f.slack.srv.URL + "/hooks/cmd", channel: "C0ROUTES1", user: "U0ALICE01", public: tt.public}
			if tt.noURL {
				r.url = ""
			}
			token := f.a.replies.add(r, f.time.Now())
			msg := recapWithFiles()
			if _, err := f.a.Post(t.Context(), token, msg); err != nil {
				t.Fatalf("Post: %v", err)
			}
			text := escape(msg.Text)
			switch hooks, posts := f.slack.Hooks(), f.slack.Posts(); {
			case tt.wantHook != "" && (len(hooks) != 1 || hooks[0].ResponseType != tt.wantHook || hooks[0].Text != text):
				t.Errorf("answers %+v, want the whole text, %s", hooks, tt.wantHook)
			case tt.wantMethod != "" && (len(posts) != 1 || posts[0].Method != tt.wantMethod || posts[0].Text != text):
				t.Errorf("posts %+v, want the whole text through %s", posts, tt.wantMethod)
			}
			sharedAs(t, f.slack.Shared(), tt.sharedIn, msg.Files)
		})
	}
}
