package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/integrations/matrix/matrixtest"
)

// gigabot check on Matrix resolves the campaign's rooms on the homeserver
// (Dendrite in CI) and names each one it could not find.
func TestCheckOnMatrix(t *testing.T) {
	s := matrixtest.Start(t)
	gigabot, coord := s.Register(t, "gigabot", false), s.Register(t, "coord", true)
	room := coord.CreateRoom("equipe-routes-" + s.Suffix)
	config := writeConfig(t, fmt.Sprintf(`
campaign:
  name: Giga Déstockage Matrix
  start: 2027-03-22
teams:
  - {id: routes, name: Direction des routes, channel: "%s", members: [alice]}
  - {id: colleges, name: Direction des collèges, channel: "#equipe-absente-%s:localhost", members: [emma]}
roles:
  dgs: [dg]
  coordinators: ["%s"]
`, room, s.Suffix, coord.ID))
	env := map[string]string{"GIGABOT_PLATFORM": "matrix", "MATRIX_HOMESERVER_URL": s.URL, "MATRIX_USER_ID": gigabot.ID, "MATRIX_ACCESS_TOKEN": gigabot.Token}
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(context.Background(), []string{"check", "--config", config}); code != 0 {
		t.Fatalf("check exited %d:\n%s%s", code, out.String(), errOut.String())
	}
	got := out.String()
	if !strings.Contains(got, "names on matrix: 1 could not be resolved") || !strings.Contains(got, "#equipe-absente-"+s.Suffix) {
		t.Errorf("check on Matrix:\n%s", got)
	}
	if strings.Contains(got+errOut.String(), gigabot.Token) {
		t.Error("check printed the access token")
	}
}
