package console

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// Run starts a reader goroutine: it must end with its input.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParse(t *testing.T) {
	tests := []struct {
		name, line string
		want       bot.Event
		err        bool
	}{
		{"message in default channel", "alice: classement", bot.Event{Kind: bot.MessageReceived, User: "alice", Channel: "general", Text: "classement"}, false},
		{"message in a channel", "alice@equipe-routes: classement volume", bot.Event{Kind: bot.MessageReceived, User: "alice", Channel: "equipe-routes", Text: "classement volume"}, false},
		{"colon in the text", "dg: mobilisation Objectif : 2 To !", bot.Event{Kind: bot.MessageReceived, User: "dg", Channel: "general", Text: "mobilisation Objectif : 2 To !"}, false},
		{"empty text", "alice:", bot.Event{Kind: bot.MessageReceived, User: "alice", Channel: "general"}, false},
		{"reaction added", "alice +white_check_mark P12", bot.Event{Kind: bot.ReactionAdded, User: "alice", Channel: "general", Reaction: "white_check_mark", PostID: "P12"}, false},
		{"reaction removed", "  bob -white_check_mark P3  ", bot.Event{Kind: bot.ReactionRemoved, User: "bob", Channel: "general", Reaction: "white_check_mark", PostID: "P3"}, false},
		{"reaction without post", "alice +white_check_mark", bot.Event{}, true},
		{"reaction on a bad post id", "alice +white_check_mark X12", bot.Event{}, true},
		{"no user", ": hello", bot.Event{}, true},
		{"no colon", "hello there", bot.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.line, "general")
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPostFormat(t *testing.T) {
	var out bytes.Buffer
	c := New(&out, Options{})
	id, err := c.Post(context.Background(), "equipe-routes", bot.Message{Text: "Bilan\nligne 2\r\nligne 3"})
	if err != nil || id != "P1" {
		t.Fatalf("id %q, err %v", id, err)
	}
	id, _ = c.Post(context.Background(), "general", bot.Message{Text: "ok"})
	if id != "P2" {
		t.Errorf("second id %q, want P2", id)
	}
	c.Post(context.Background(), "@alice", bot.Message{Text: "rappel"})
	want := "[#equipe-routes] P1 Bilan ⏎ ligne 2 ⏎ ligne 3\n[#general] P2 ok\n[@alice] P3 rappel\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestPostShowsFilesByTheirDescription(t *testing.T) {
	var out bytes.Buffer
	c := New(&out, Options{})
	msg := bot.Message{Kind: bot.KindRecap, Text: "Bilan du jour 3\n1. Routes", Files: []bot.File{
		{Name: "classement-jour-3.png", MIME: "image/png", Alt: "Classement du jour 3 :\nRoutes en tête", Data: []byte("\x89PNG\r\n")},
		{Name: "export.csv", MIME: "text/csv", Alt: "Export des scores", Data: []byte("equipe;octets\nroutes;5000\n")},
		{Name: "sans-description.png", MIME: "image/png", Data: []byte("\x89PNG")},
	}}
	if _, err := c.Post(context.Background(), "general", msg); err != nil {
		t.Fatal(err)
	}
	want := "[#general] P1 Bilan du jour 3 ⏎ 1. Routes\n" +
		"[pièce jointe\u00a0: classement-jour-3.png — Classement du jour 3 : ⏎ Routes en tête]\n" +
		"[pièce jointe\u00a0: export.csv — Export des scores]\n" +
		"[pièce jointe\u00a0: sans-description.png]\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if strings.Contains(out.String(), "routes;5000") || strings.Contains(out.String(), "PNG") {
		t.Error("the console printed a file's bytes")
	}
}

func TestPostNumbersFromSequence(t *testing.T) {
	var out bytes.Buffer
	n := int64(41)
	c := New(&out, Options{NextID: func(context.Context) (int64, error) { n++; return n, nil }})
	if id, _ := c.Post(context.Background(), "general", bot.Message{Text: "x"}); id != "P42" {
		t.Errorf("id %q, want P42", id)
	}
	failing := New(&out, Options{NextID: func(context.Context) (int64, error) { return 0, errors.New("redis down") }})
	if _, err := failing.Post(context.Background(), "general", bot.Message{Text: "x"}); err == nil {
		t.Error("want the numbering error")
	}
}

func TestRunSkipsBadLines(t *testing.T) {
	in := strings.NewReader("alice: aide\n\n# a comment\nnonsense\nbob +white_check_mark P1\nalice: boom\n")
	var out, errs bytes.Buffer
	h := &bottest.Handler{}
	h.SetFail(func(ev bot.Event) error {
		if ev.Text == "boom" {
			return errors.New("handler failed")
		}
		return nil
	})
	if err := New(&out, Options{}).Run(context.Background(), in, h, &errs); err != nil {
		t.Fatal(err)
	}
	if got := h.Events(); len(got) != 3 {
		t.Fatalf("handled %d events, want 3: %+v", len(got), got)
	}
	if !strings.Contains(errs.String(), "line 4: cannot read \"nonsense\"") || !strings.Contains(errs.String(), "line 6: handler failed") {
		t.Errorf("errors: %q", errs.String())
	}
}

// A line longer than the console reads (1 MiB) is skipped with a warning
// naming it; the lines after it are still read.
func TestRunSkipsOverlongLines(t *testing.T) {
	long := "alice: " + strings.Repeat("x", 1<<20)
	in := strings.NewReader("alice: aide\n" + long + "\nbob: classement\n" + long + "\r\ncarol: moi")
	var out, errs bytes.Buffer
	h := &bottest.Handler{}
	if err := New(&out, Options{}).Run(context.Background(), in, h, &errs); err != nil {
		t.Fatalf("Run = %v, want the long lines skipped", err)
	}
	var got []string
	for _, ev := range h.Events() {
		got = append(got, ev.User+": "+ev.Text)
	}
	if want := []string{"alice: aide", "bob: classement", "carol: moi"}; !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q", got, want)
	}
	for _, want := range []string{"line 2: longer than 1 MiB: skipped", "line 4: longer than 1 MiB: skipped"} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("warnings %q lack %q", errs.String(), want)
		}
	}
}
