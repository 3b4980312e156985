package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
)

// shape lists a message's blocks as "type: text" lines, the way a reader
// sees them, with the button as "button: label = value".
func shape(t *testing.T, blocks []slack.Block) []string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var generic []map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	return shapeJSON(generic)
}

func shapeJSON(blocks []map[string]any) []string {
	text := func(v any) string {
		m, _ := v.(map[string]any)
		s, _ := m["text"].(string)
		return s
	}
	var out []string
	for _, b := range blocks {
		switch b["type"] {
		case "header", "section":
			out = append(out, b["type"].(string)+": "+text(b["text"]))
		case "context":
			for _, e := range b["elements"].([]any) {
				out = append(out, "context: "+text(e))
			}
		case "actions":
			for _, e := range b["elements"].([]any) {
				m := e.(map[string]any)
				out = append(out, "button: "+text(m["text"])+" = "+m["value"].(string)+" ("+m["action_id"].(string)+")")
			}
		default:
			out = append(out, b["type"].(string))
		}
	}
	return out
}

func TestRender(t *testing.T) {
	a := &Adapter{loc: bot.NewLocale("fr"), roster: bot.Roster{Reaction: "white_check_mark"}}
	defi := &challenges.Defi{Title: "Les doublons", Steps: []string{"Ouvrez le partage", "Supprimez les copies <v2>"}, Tip: "Triez par taille", Saves: "De la place & du CO2"}
	tests := []struct {
		name        string
		msg         bot.Message
		interactive bool
		want        []string
		wantText    string
	}{
		{
			name:        "défi card",
			msg:         bot.Message{Kind: bot.KindDefi, Text: "🗂️ *Défi du jour 3/15 : Les doublons*", Day: 3, Days: 15, Defi: defi, Reaction: "white_check_mark"},
			interactive: true,
			want: []string{
				"header: 🗂️ Les doublons",
				"context: 📅 Défi du jour *3/15*",
				"section: *1.* Ouvrez le partage\n*2.* Supprimez les copies &lt;v2&gt;",
				"section: 💡 *Astuce\u00a0:* Triez par taille",
				"context: 🌱 *Ce que ça économise\u00a0:* De la place &amp; du CO2",
				"button: J’ai relevé le défi ✅ = white_check_mark (gigabot_defi_done)",
				"context: Quand c’est fait\u00a0: cliquez sur le bouton ou réagissez avec :white_check_mark:.",
			},
			wantText: "🗂️ *Défi du jour 3/15 : Les doublons*",
		},
		{
			name:        "défi card without its emoji: the roster's",
			msg:         bot.Message{Kind: bot.KindDefi, Text: "défi", Day: 2, Days: 15, Defi: &challenges.Defi{Title: "T"}},
			interactive: true,
			want: []string{
				"header: 🗂️ T",
				"context: 📅 Défi du jour *2/15*",
				"button: J’ai relevé le défi ✅ = white_check_mark (gigabot_defi_done)",
				"context: Quand c’est fait\u00a0: cliquez sur le bouton ou réagissez avec :white_check_mark:.",
			},
		},
		{
			name: "défi card in an ephemeral answer has no button",
			msg:  bot.Message{Kind: bot.KindDefi, Text: "défi", Day: 1, Days: 15, Defi: &challenges.Defi{Title: "T"}, Reaction: "✅"},
			want: []string{"header: 🗂️ T", "context: 📅 Défi du jour *1/15*"},
		},
		{
			name: "recap",
			msg: bot.Message{Kind: bot.KindRecap, Day: 3, Days: 15, Text: "📊 *Bilan du jour 3/15*\nAujourd’hui : 1 To.\n🏆 *Classement aux points*\n🥇 1. Routes : 30 pts\n🥈 2. Collèges : 20 pts\nVotre équipe : 1er sur 2.\n" +
				"_(Hypothèses : 1 To ≈ 6,5 millions de pages)_"},
			want: []string{
				"header: 📊 Bilan du jour 3/15",
				"section: Aujourd’hui : 1 To.",
				"section: 🏆 *Classement aux points*\n🥇 1. Routes : 30 pts\n🥈 2. Collèges : 20 pts",
				"section: Votre équipe : 1er sur 2.",
				"context: _(Hypothèses : 1 To ≈ 6,5 millions de pages)_",
			},
		},
		{
			name: "announcement keeps its author's channel and group mentions",
			msg:  bot.Message{Kind: bot.KindAnnouncement, Text: "📢 *Annonce*\n<!channel> R&D : voir <https://intranet.cd14.fr|l’intranet> avec <@U0ALICE01> et <!subteam^S0REF|@referents>\n— Claire"},
			want: []string{
				"header: 📢 Annonce",
				"section: <!channel> R&amp;D : voir <https://intranet.cd14.fr|l’intranet> avec <@U0ALICE01> et <!subteam^S0REF|@referents>\n— Claire",
			},
			wantText: "📢 *Annonce*\n<!channel> R&amp;D : voir <https://intranet.cd14.fr|l’intranet> avec <@U0ALICE01> et <!subteam^S0REF|@referents>\n— Claire",
		},
		{
			name:     "call to mobilisation keeps <!here>",
			msg:      bot.Message{Kind: bot.KindMobilisation, Text: "📣 *Appel à la mobilisation*\n<!here> Allez !\n— Claire"},
			want:     []string{"header: 📣 Appel à la mobilisation", "section: <!here> Allez !\n— Claire"},
			wantText: "📣 *Appel à la mobilisation*\n<!here> Allez !\n— Claire",
		},
		{
			name: "no other post notifies the whole channel",
			msg:  bot.Message{Kind: bot.KindRecap, Text: "📊 *Bilan du jour 3/15*\n<!channel> <!here> <!everyone> <!subteam^S0REF>"},
			want: []string{
				"header: 📊 Bilan du jour 3/15",
				"section: &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S0REF&gt;",
			},
		},
		{
			name:     "reply stays text",
			msg:      bot.Message{Kind: bot.KindReply, Text: "*Gigabot : les commandes*\n• `defi <n>`"},
			wantText: "*Gigabot : les commandes*\n• `defi &lt;n&gt;`",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := a.render(tt.msg, tt.interactive)
			got := shape(t, blocks)
			if strings.Join(got, "\n---\n") != strings.Join(tt.want, "\n---\n") {
				t.Errorf("blocks:\n%s\nwant:\n%s", strings.Join(got, "\n---\n"), strings.Join(tt.want, "\n---\n"))
			}
			if tt.wantText != "" && text != tt.wantText {
				t.Errorf("text %q, want %q", text, tt.wantText)
			}
		})
	}
}

func TestRenderStaysWithinSlackLimits(t *testing.T) {
	a := &Adapter{loc: bot.NewLocale("en")}
	long := strings.Repeat("é", 200)
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = "🏆 *" + long + "*"
	}
	_, blocks := a.render(bot.Message{Kind: bot.KindDefi, Defi: &challenges.Defi{Title: long}, Reaction: "tada"}, true)
	for _, s := range shape(t, blocks) {
		if strings.HasPrefix(s, "header: ") && len([]rune(s))-len("header: ") > maxHeaderText {
			t.Errorf("header longer than %d characters", maxHeaderText)
		}
	}
	text, blocks := a.render(bot.Message{Kind: bot.KindPodium, Text: strings.Join(lines, "\n")}, true)
	if blocks != nil || text == "" {
		t.Errorf("a post of more than %d blocks should fall back to text", maxBlocks)
	}
	for _, b := range sectionBlocks(strings.Repeat(long+"\n", 40)) {
		if n := len([]rune(b.(*slack.SectionBlock).Text.Text)); n > maxSectionText {
			t.Errorf("section of %d characters", n)
		}
	}
}

// The card speaks the campaign's language, with the core's words.
func TestRenderInEnglish(t *testing.T) {
	a := &Adapter{loc: bot.NewLocale("en"), roster: bot.Roster{Reaction: "tada"}}
	defi := &challenges.Defi{Title: "Duplicates", Tip: "Sort by size", Saves: "Room"}
	_, blocks := a.render(bot.Message{Kind: bot.KindDefi, Text: "défi", Day: 3, Days: 15, Defi: defi}, true)
	want := []string{
		"header: 🗂️ Duplicates",
		"context: 📅 Challenge of the day *3/15*",
		"section: 💡 *Tip:* Sort by size",
		"context: 🌱 *What it saves:* Room",
		"button: I did the challenge ✅ = tada (gigabot_defi_done)",
		"context: When done: click the button or react with :tada:.",
	}
	if got := shape(t, blocks); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("blocks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShortcode(t *testing.T) {
	for in, want := range map[string]string{"white_check_mark": ":white_check_mark:", ":tada:": ":tada:", "✅": "✅", "+1": ":+1:"} {
		if got := shortcode(in); got != want {
			t.Errorf("shortcode(%q) = %q, want %q", in, got, want)
		}
	}
}
