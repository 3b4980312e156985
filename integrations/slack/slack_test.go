package slack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConfigValidate(t *testing.T) {
	const bot, app = "xoxb-1234-5678-secretpart", "xapp-1-A1-99-secretpart"
	tests := []struct {
		name string
		cfg  Config
		want string // in the error; "" for valid
	}{
		{"socket mode", Config{BotToken: bot, AppToken: app}, ""},
		{"http mode", Config{BotToken: bot, SigningSecret: "s3cr3t"}, ""},
		{"govslack url", Config{BotToken: bot, AppToken: app, APIURL: "https://slack-gov.com/api"}, ""},
		{"no bot token", Config{AppToken: app}, "SLACK_BOT_TOKEN is not set"},
		{"user token as bot token", Config{BotToken: "xoxp-1-secretpart", AppToken: app}, "not a user token (xoxp-)"},
		{"app token as bot token", Config{BotToken: app, AppToken: app}, "not an app-level token (xapp-)"},
		{"bot token as app token", Config{BotToken: bot, AppToken: bot}, "SLACK_APP_TOKEN must be an app-level token"},
		{"garbage app token", Config{BotToken: bot, AppToken: "hello-secretpart"}, "not a token of another kind"},
		{"no way to receive", Config{BotToken: bot}, "set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET"},
		{"bad api url", Config{BotToken: bot, AppToken: app, APIURL: "slack.com/api"}, "SLACK_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error with %q", err, tt.want)
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error does not wrap ErrConfig: %v", err)
			}
			if strings.Contains(err.Error(), "secretpart") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

func TestNewRefusesBadToken(t *testing.T) {
	f := newFakeSlack(t).workspace()
	_, err := New(context.Background(), Config{BotToken: "xoxb-revoked", SigningSecret: testSecret, APIURL: f.apiURL()},
		Options{Roster: mustRoster(t), Deliveries: nopDeliveries{}, Owner: "r1", HTTPClient: f.srv.Client()})
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("New = %v, want ErrAuth with invalid_auth", err)
	}
}

func TestNewResolvesNamesAndReportsTheRest(t *testing.T) {
	f := newFixture(t)
	rep := f.a.Report()
	if want := []string{"equipe-culture"}; !slices.Equal(rep.Channels, want) {
		t.Errorf("unmatched channels = %q, want %q", rep.Channels, want)
	}
	// dan is deleted; mallory's display name is "coord", which does not
	// make them the coordinator.
	if want := []string{"dan", "coord"}; !slices.Equal(rep.Members, want) {
		t.Errorf("unmatched members = %q, want %q", rep.Members, want)
	}
	if len(rep.NotJoined) != 0 {
		t.Errorf("not joined = %q, want none", rep.NotJoined)
	}
	for _, name := range []string{"equipe-culture", "dan", "coord"} {
		if !strings.Contains(f.logs.String(), name) {
			t.Errorf("the log does not report %q:\n%s", name, f.logs)
		}
	}
	if n := len(f.slack.Requests("conversations.list")); n < 2 {
		t.Errorf("conversations.list called %d times, want the pages followed", n)
	}
	if n := len(f.slack.Requests("users.list")); n < 5 {
		t.Errorf("users.list called %d times, want the pages followed", n)
	}
	if got := f.slack.Requests("conversations.join"); len(got) != 1 {
		t.Errorf("conversations.join called %d times, want once (equipe-colleges)", len(got))
	}
	members := []struct{ id, name string }{
		{"U0ALICE01", "alice"},       // user name
		{"U0BOB0001", "bob@cd14.fr"}, // e-mail in users.list
		{"U0CAROL01", "carol@cd14.fr"},
		{"U0EMMA001", "emma"},
		{"U0DG00001", "dg"},
	}
	for _, m := range members {
		if got, ok := f.a.dir.member(m.id); !ok || got != m.name {
			t.Errorf("member(%s) = %q, %v, want %q", m.id, got, ok, m.name)
		}
	}
	for name, id := range map[string]string{"equipe-routes": "C0ROUTES1", "#equipe-colleges": "C0COLLEGE", "Equipe-Routes": "C0ROUTES1", "random": "C0RANDOM1"} {
		if got, ok := f.a.dir.channelID(name); !ok || got != id {
			t.Errorf("channelID(%q) = %q, %v, want %q", name, got, ok, id)
		}
	}
	if got := f.a.dir.channelName("C0COLLEGE"); got != "#equipe-colleges" {
		t.Errorf("channelName(C0COLLEGE) = %q, want the config's spelling", got)
	}
}

func TestNewReportsChannelsItCannotJoin(t *testing.T) {
	f := newFakeSlack(t).workspace()
	f.channels = append(f.channels, fakeChannel{ID: "C0CULTURE", Name: "equipe-culture", RefuseJoin: "is_archived"})
	a, err := New(context.Background(), Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: f.apiURL()},
		Options{Roster: mustRoster(t), Deliveries: nopDeliveries{}, Owner: "r1", HTTPClient: f.srv.Client()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if rep := a.Report(); !slices.Equal(rep.NotJoined, []string{"equipe-culture"}) || len(rep.Channels) != 0 {
		t.Errorf("report = %+v, want equipe-culture not joined", rep)
	}
}

func TestNewFailsOnMissingScope(t *testing.T) {
	f := newFakeSlack(t).workspace()
	f.fail("users.list", fakeFailure{Error: "missing_scope"})
	_, err := New(context.Background(), Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: f.apiURL()},
		Options{Roster: mustRoster(t), Deliveries: nopDeliveries{}, Owner: "r1", HTTPClient: f.srv.Client()})
	if err == nil || !strings.Contains(err.Error(), "missing_scope") {
		t.Fatalf("New = %v, want a missing_scope error", err)
	}
}
