package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot/bottest"
)

// Points are read as a plain decimal number, in French or English
// writing, within documented bounds: anything else is refused with a
// message that names what was typed, and records nothing.
func TestCorrectionPointsAreStrictDecimals(t *testing.T) {
	tests := []struct {
		points string
		want   float64 // 0: refused
		reply  string
	}{
		{"12,5", 12.5, "+12,5 pts"},
		{"12.5", 12.5, "+12,5 pts"},
		{"-20", -20, "-20 pts"},
		{"+3", 3, "+3 pts"},
		{"−4", -4, "-4 pts"}, // U+2212, the typographic minus
		{"10000", 10000, "+10 000 pts"},
		{"-10000", -10000, "-10 000 pts"},
		{"1e3", 0, "« 1e3 » n’est pas un nombre de points"},
		{"1E2", 0, "« 1E2 »"},
		{"0x1p4", 0, "« 0x1p4 »"},
		{"0x10", 0, "« 0x10 »"},
		{"NaN", 0, "« NaN »"},
		{"Inf", 0, "« Inf »"},
		{"-Infinity", 0, "« -Infinity »"},
		{"1_000", 0, "« 1_000 »"},
		{"1.000", 0, "« 1.000 »"},
		{"12,55", 0, "« 12,55 »"},
		{".5", 0, "« .5 »"},
		{"5.", 0, "« 5. »"},
		{"--5", 0, "« --5 »"},
		{"10000,5", 0, "limitée à ±10 000"},
		{"99999999999999999999", 0, "limitée à ±10 000"},
		{"0,0", 0, "0 point ne change rien"},
	}
	for _, tt := range tests {
		t.Run(tt.points, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			posts := env.Say(t, "coord", "general", "correction routes "+tt.points+" motif")
			if len(posts) != 1 || !strings.Contains(plain(posts[0].Msg.Text), plain(tt.reply)) {
				t.Fatalf("reply:\n%s\nwant %q", bottest.Texts(posts), tt.reply)
			}
			figs, err := env.Store.Figures(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := figs["routes"].Corrections; got != tt.want {
				t.Errorf("routes corrections = %v, want %v", got, tt.want)
			}
			if strings.Contains(tt.reply, "«") && !strings.Contains(plain(posts[0].Msg.Text), "10 000") {
				t.Errorf("refusal %q does not give the bounds", posts[0].Msg.Text)
			}
		})
	}
}
