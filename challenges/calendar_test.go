package challenges_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/challenges"
)

// newCalendar lays out a calendar from the default configuration, changed by edit.
func newCalendar(t *testing.T, start string, days int, edit func(cp *challenges.CampaignConfig)) *challenges.Calendar {
	t.Helper()
	cfg := challenges.Default()
	cfg.Campaign.Start = start
	cfg.Campaign.Days = days
	if edit != nil {
		edit(&cfg.Campaign)
	}
	cal, err := challenges.NewCalendar(&cfg)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return cal
}

// skip is a skipped day in a test table: "2023-04-10 Lundi de Pâques".
type skip struct{ date, reason string }

func weekEnd(sat, sun string) []skip {
	return []skip{{sat, "samedi (week-end)"}, {sun, "dimanche (week-end)"}}
}

func skips(groups ...[]skip) []skip {
	var all []skip
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

func TestNewCalendarRealYears(t *testing.T) {
	tests := []struct {
		name        string
		start       string
		days        int
		edit        func(cp *challenges.CampaignConfig)
		wantFirst   string
		wantLast    string
		wantSkipped []skip
	}{
		{
			name: "Easter Monday 2023", start: "2023-04-03", days: 15,
			wantFirst: "2023-04-03", wantLast: "2023-04-24",
			wantSkipped: skips(weekEnd("2023-04-08", "2023-04-09"), []skip{{"2023-04-10", "Lundi de Pâques"}},
				weekEnd("2023-04-15", "2023-04-16"), weekEnd("2023-04-22", "2023-04-23")),
		},
		{
			name: "three plain weeks in 2022", start: "2022-03-21", days: 15,
			wantFirst: "2022-03-21", wantLast: "2022-04-08",
			wantSkipped: skips(weekEnd("2022-03-26", "2022-03-27"), weekEnd("2022-04-02", "2022-04-03")),
		},
		{
			name: "French start date", start: "21/03/2022", days: 15,
			wantFirst: "2022-03-21", wantLast: "2022-04-08",
			wantSkipped: skips(weekEnd("2022-03-26", "2022-03-27"), weekEnd("2022-04-02", "2022-04-03")),
		},
		{
			name: "start on a Saturday moves to Monday", start: "2027-03-20", days: 3,
			wantFirst: "2027-03-22", wantLast: "2027-03-24",
			wantSkipped: weekEnd("2027-03-20", "2027-03-21"),
		},
		{
			name: "start on a Sunday moves to Monday", start: "2027-03-21", days: 1,
			wantFirst: "2027-03-22", wantLast: "2027-03-22",
			wantSkipped: []skip{{"2027-03-21", "dimanche (week-end)"}},
		},
		{
			name: "start on a holiday moves to the next day", start: "2023-04-10", days: 2,
			wantFirst: "2023-04-11", wantLast: "2023-04-12",
			wantSkipped: []skip{{"2023-04-10", "Lundi de Pâques"}},
		},
		{
			name: "1 and 8 May 2025", start: "2025-04-28", days: 15,
			wantFirst: "2025-04-28", wantLast: "2025-05-20",
			wantSkipped: skips([]skip{{"2025-05-01", "Fête du Travail"}}, weekEnd("2025-05-03", "2025-05-04"),
				[]skip{{"2025-05-08", "Fête de la Victoire"}}, weekEnd("2025-05-10", "2025-05-11"), weekEnd("2025-05-17", "2025-05-18")),
		},
		{
			name: "May 2025 long enough for Ascension", start: "2025-04-28", days: 22,
			wantFirst: "2025-04-28", wantLast: "2025-05-30",
			wantSkipped: skips([]skip{{"2025-05-01", "Fête du Travail"}}, weekEnd("2025-05-03", "2025-05-04"),
				[]skip{{"2025-05-08", "Fête de la Victoire"}}, weekEnd("2025-05-10", "2025-05-11"), weekEnd("2025-05-17", "2025-05-18"),
				weekEnd("2025-05-24", "2025-05-25"), []skip{{"2025-05-29", "Ascension"}}),
		},
		{
			name: "May 2024: 1 May, 8 May, Ascension, Whit Monday", start: "2024-04-29", days: 15,
			wantFirst: "2024-04-29", wantLast: "2024-05-23",
			wantSkipped: skips([]skip{{"2024-05-01", "Fête du Travail"}}, weekEnd("2024-05-04", "2024-05-05"),
				[]skip{{"2024-05-08", "Fête de la Victoire"}, {"2024-05-09", "Ascension"}}, weekEnd("2024-05-11", "2024-05-12"),
				weekEnd("2024-05-18", "2024-05-19"), []skip{{"2024-05-20", "Lundi de Pentecôte"}}),
		},
		{
			name: "holidays none keeps Easter Monday", start: "2023-04-03", days: 15,
			edit:      func(cp *challenges.CampaignConfig) { cp.Holidays = "none" },
			wantFirst: "2023-04-03", wantLast: "2023-04-21",
			wantSkipped: skips(weekEnd("2023-04-08", "2023-04-09"), weekEnd("2023-04-15", "2023-04-16")),
		},
		{
			name: "fr keeps Good Friday 2027", start: "2027-03-22", days: 15,
			wantFirst: "2027-03-22", wantLast: "2027-04-12",
			wantSkipped: skips(weekEnd("2027-03-27", "2027-03-28"), []skip{{"2027-03-29", "Lundi de Pâques"}},
				weekEnd("2027-04-03", "2027-04-04"), weekEnd("2027-04-10", "2027-04-11")),
		},
		{
			name: "Alsace-Moselle skips Good Friday 2027", start: "2027-03-22", days: 15,
			edit:      func(cp *challenges.CampaignConfig) { cp.Holidays = "fr-alsace-moselle" },
			wantFirst: "2027-03-22", wantLast: "2027-04-13",
			wantSkipped: skips([]skip{{"2027-03-26", "Vendredi saint"}}, weekEnd("2027-03-27", "2027-03-28"),
				[]skip{{"2027-03-29", "Lundi de Pâques"}}, weekEnd("2027-04-03", "2027-04-04"), weekEnd("2027-04-10", "2027-04-11")),
		},
		{
			name: "fr works on 26 December 2025", start: "2025-12-22", days: 5,
			wantFirst: "2025-12-22", wantLast: "2025-12-29",
			wantSkipped: skips([]skip{{"2025-12-25", "Noël"}}, weekEnd("2025-12-27", "2025-12-28")),
		},
		{
			name: "Alsace-Moselle skips 26 December 2025", start: "2025-12-22", days: 5,
			edit:      func(cp *challenges.CampaignConfig) { cp.Holidays = "fr-alsace-moselle" },
			wantFirst: "2025-12-22", wantLast: "2025-12-30",
			wantSkipped: skips([]skip{{"2025-12-25", "Noël"}, {"2025-12-26", "Saint-Étienne"}}, weekEnd("2025-12-27", "2025-12-28")),
		},
		{
			name: "extra holiday", start: "2027-03-22", days: 3,
			edit:      func(cp *challenges.CampaignConfig) { cp.ExtraHolidays = []string{"2027-03-24"} },
			wantFirst: "2027-03-22", wantLast: "2027-03-25",
			wantSkipped: []skip{{"2027-03-24", "jour non travaillé (extra_holidays)"}},
		},
		{
			name: "extra holidays in French form, one outside the campaign", start: "2027-03-22", days: 3,
			edit:      func(cp *challenges.CampaignConfig) { cp.ExtraHolidays = []string{"23/03/2027", "2027-12-24"} },
			wantFirst: "2027-03-22", wantLast: "2027-03-25",
			wantSkipped: []skip{{"2027-03-23", "jour non travaillé (extra_holidays)"}},
		},
		{
			name: "extra holiday on a week-end keeps the week-end reason", start: "2027-03-26", days: 2,
			edit:      func(cp *challenges.CampaignConfig) { cp.ExtraHolidays = []string{"2027-03-27"} },
			wantFirst: "2027-03-26", wantLast: "2027-03-30",
			wantSkipped: skips(weekEnd("2027-03-27", "2027-03-28"), []skip{{"2027-03-29", "Lundi de Pâques"}}),
		},
		{
			name: "Monday to Thursday", start: "2027-03-22", days: 6,
			edit:      func(cp *challenges.CampaignConfig) { cp.WorkingDays = []string{"mon", "tue", "wed", "thu"} },
			wantFirst: "2027-03-22", wantLast: "2027-03-31",
			wantSkipped: skips([]skip{{"2027-03-26", "vendredi"}}, weekEnd("2027-03-27", "2027-03-28"),
				[]skip{{"2027-03-29", "Lundi de Pâques"}}),
		},
		{
			name: "French day names, Tuesday and Thursday", start: "2027-03-22", days: 3,
			edit:      func(cp *challenges.CampaignConfig) { cp.WorkingDays = []string{"Mar", "jeu"} },
			wantFirst: "2027-03-23", wantLast: "2027-03-30",
			wantSkipped: skips([]skip{{"2027-03-22", "lundi"}, {"2027-03-24", "mercredi"}, {"2027-03-26", "vendredi"}},
				weekEnd("2027-03-27", "2027-03-28"), []skip{{"2027-03-29", "lundi"}}),
		},
		{
			name: "Saturday as a working day", start: "2027-03-26", days: 3,
			edit: func(cp *challenges.CampaignConfig) {
				cp.WorkingDays = []string{"mon", "tue", "wed", "thu", "fri", "sat"}
			},
			wantFirst: "2027-03-26", wantLast: "2027-03-30",
			wantSkipped: []skip{{"2027-03-28", "dimanche (week-end)"}, {"2027-03-29", "Lundi de Pâques"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := newCalendar(t, tt.start, tt.days, tt.edit)
			loc := cal.Location
			if loc.String() != "Europe/Paris" {
				t.Fatalf("Location = %v, want Europe/Paris", loc)
			}
			if len(cal.Days) != tt.days {
				t.Fatalf("%d days, want %d", len(cal.Days), tt.days)
			}
			if got := cal.Days[0].Date.Format(time.DateOnly); got != tt.wantFirst {
				t.Errorf("first day %s, want %s", got, tt.wantFirst)
			}
			if got := cal.Last().Date.Format(time.DateOnly); got != tt.wantLast {
				t.Errorf("last day %s, want %s", got, tt.wantLast)
			}
			var gotSkipped []string
			for _, s := range cal.Skipped {
				gotSkipped = append(gotSkipped, s.Date.Format(time.DateOnly)+" "+s.Reason)
			}
			var wantSkipped []string
			for _, s := range tt.wantSkipped {
				wantSkipped = append(wantSkipped, s.date+" "+s.reason)
			}
			if strings.Join(gotSkipped, "\n") != strings.Join(wantSkipped, "\n") {
				t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(gotSkipped, "\n"), strings.Join(wantSkipped, "\n"))
			}
			checkCalendarCoversDates(t, cal)
		})
	}
}

// checkCalendarCoversDates checks that the days are numbered from 1, fall at
// local midnight, and that with the skipped days they cover every date from
// the start to the last day exactly once, in order.
func checkCalendarCoversDates(t *testing.T, cal *challenges.Calendar) {
	t.Helper()
	kind := map[string]string{}
	for i, d := range cal.Days {
		if d.N != i+1 {
			t.Errorf("Days[%d].N = %d", i, d.N)
		}
		if d.Date.Location() != cal.Location || d.Date.Hour() != 0 || d.Date.Minute() != 0 {
			t.Errorf("day %d date %v is not local midnight", d.N, d.Date)
		}
		kind[d.Date.Format(time.DateOnly)] += "day "
	}
	for _, s := range cal.Skipped {
		if s.Date.Location() != cal.Location || s.Date.Hour() != 0 {
			t.Errorf("skipped date %v is not local midnight", s.Date)
		}
		kind[s.Date.Format(time.DateOnly)] += "skip "
	}
	first := cal.Days[0].Date
	if len(cal.Skipped) > 0 && cal.Skipped[0].Date.Before(first) {
		first = cal.Skipped[0].Date
	}
	n := 0
	for d := first; !d.After(cal.Last().Date); d = d.AddDate(0, 0, 1) {
		if k := kind[d.Format(time.DateOnly)]; k != "day " && k != "skip " {
			t.Errorf("%s is %q, want exactly one day or one skip", d.Format(time.DateOnly), k)
		}
		n++
	}
	if n != len(kind) {
		t.Errorf("%d dates between first and last, but %d dates listed", n, len(kind))
	}
}

func TestNewCalendarErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(cfg *challenges.Config)
		want string
	}{
		{name: "bad start", edit: func(cfg *challenges.Config) { cfg.Campaign.Start = "2027-02-30" }, want: "campaign.start"},
		{name: "bad extra holiday", edit: func(cfg *challenges.Config) { cfg.Campaign.ExtraHolidays = []string{"demain"} }, want: "campaign.extra_holidays"},
		{name: "unknown défi in defi_order", edit: func(cfg *challenges.Config) { cfg.DefiOrder = []string{"inconnu"} }, want: "inconnu"},
		{name: "no working day", edit: func(cfg *challenges.Config) { cfg.Campaign.WorkingDays = []string{} }, want: "no working day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := challenges.Default()
			cfg.Campaign.Start = "2027-03-22"
			tt.edit(&cfg)
			cal, err := challenges.NewCalendar(&cfg)
			if err == nil {
				t.Fatalf("NewCalendar = %d days, want an error", len(cal.Days))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestCalendarFromParsedConfig(t *testing.T) {
	cfg := mustParse(t, validYAML) // extra holiday 2027-04-02, défis doublons and gros-fichiers first
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cal.DefiAt != (challenges.ClockTime{Hour: 9}) || cal.RecapAt != (challenges.ClockTime{Hour: 17}) {
		t.Errorf("DefiAt, RecapAt = %v, %v", cal.DefiAt, cal.RecapAt)
	}
	if got := cal.Last().Date.Format(time.DateOnly); got != "2027-04-13" {
		t.Errorf("last day %s, want 2027-04-13 (Easter Monday and the extra 2 April skipped)", got)
	}
	if cal.Days[0].Defi.ID != "doublons" || cal.Days[1].Defi.ID != "gros-fichiers" {
		t.Errorf("first défis %s, %s; want doublons, gros-fichiers", cal.Days[0].Defi.ID, cal.Days[1].Defi.ID)
	}
}

func TestCalendarScheduleTimes(t *testing.T) {
	tests := []struct {
		name      string
		defi      string
		recap     string
		wantStart string
		wantEnd   string
	}{
		{name: "defaults", defi: "09:00", recap: "17:00", wantStart: "2027-03-22T09:00:00+01:00", wantEnd: "2027-04-12T17:00:00+02:00"},
		{name: "custom", defi: "08:15", recap: "16:45", wantStart: "2027-03-22T08:15:00+01:00", wantEnd: "2027-04-12T16:45:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := newCalendar(t, "2027-03-22", 15, func(cp *challenges.CampaignConfig) {
				cp.Schedule = challenges.Schedule{Defi: tt.defi, Recap: tt.recap}
			})
			if got := cal.Start().Format(time.RFC3339); got != tt.wantStart {
				t.Errorf("Start = %s, want %s", got, tt.wantStart)
			}
			if got := cal.End().Format(time.RFC3339); got != tt.wantEnd {
				t.Errorf("End = %s, want %s", got, tt.wantEnd)
			}
		})
	}
}

func TestCalendarAtAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name   string
		start  string
		change string // the Sunday the clocks change
		before time.Duration
		after  time.Duration
	}{
		{name: "spring 2027", start: "2027-03-22", change: "2027-03-28", before: time.Hour, after: 2 * time.Hour},
		{name: "autumn 2027", start: "2027-10-25", change: "2027-10-31", before: 2 * time.Hour, after: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := newCalendar(t, tt.start, 15, nil)
			change, err := challenges.ParseDate(tt.change, cal.Location)
			if err != nil {
				t.Fatal(err)
			}
			var sawBefore, sawAfter bool
			for _, d := range cal.Days {
				for _, post := range []struct {
					clock challenges.ClockTime
					hour  int
				}{{cal.DefiAt, 9}, {cal.RecapAt, 17}} {
					at := cal.At(d.N, post.clock)
					local := at.In(cal.Location)
					if local.Hour() != post.hour || local.Minute() != 0 || local.Second() != 0 {
						t.Errorf("day %d (%s): post at %s local, want %02d:00", d.N, d.Date.Format(time.DateOnly), local.Format("15:04:05"), post.hour)
					}
					if !sameDate(local, d.Date) {
						t.Errorf("day %d: At is on %s, want %s", d.N, local.Format(time.DateOnly), d.Date.Format(time.DateOnly))
					}
					_, offset := local.Zone()
					want := tt.after
					if d.Date.Before(change) {
						want = tt.before
						sawBefore = true
					} else {
						sawAfter = true
					}
					if got := time.Duration(offset) * time.Second; got != want {
						t.Errorf("day %d (%s): UTC offset %v, want %v", d.N, d.Date.Format(time.DateOnly), got, want)
					}
					if got := at.UTC().Hour(); got != post.hour-int(want/time.Hour) {
						t.Errorf("day %d: %02d:00 local is %02d:00 UTC", d.N, post.hour, got)
					}
				}
			}
			if !sawBefore || !sawAfter {
				t.Fatalf("campaign from %s does not span the change on %s", tt.start, tt.change)
			}
		})
	}
}

func sameDate(a, b time.Time) bool {
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

func TestCalendarInstants(t *testing.T) {
	cal := newCalendar(t, "2027-03-22", 15, nil) // days 1–5: 22–26 March; 6: 30 March; 15: 12 April
	loc := cal.Location
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2027, month, day, hour, min, 0, 0, loc)
	}
	tests := []struct {
		name        string
		t           time.Time
		wantDay     int // 0: not a campaign day
		wantElapsed int
		wantRecap   int
	}{
		{name: "days before the start", t: at(time.March, 19, 12, 0), wantDay: 0, wantElapsed: 0, wantRecap: 1},
		{name: "first day, before the défi", t: at(time.March, 22, 8, 59), wantDay: 1, wantElapsed: 0, wantRecap: 1},
		{name: "first day, at local midnight", t: at(time.March, 22, 0, 0), wantDay: 1, wantElapsed: 0, wantRecap: 1},
		{name: "first day, at the défi", t: at(time.March, 22, 9, 0), wantDay: 1, wantElapsed: 1, wantRecap: 1},
		{name: "first day, just before the recap", t: at(time.March, 22, 16, 59), wantDay: 1, wantElapsed: 1, wantRecap: 1},
		{name: "first day, at the recap", t: at(time.March, 22, 17, 0), wantDay: 1, wantElapsed: 1, wantRecap: 2},
		{name: "first day, after the recap", t: at(time.March, 22, 20, 0), wantDay: 1, wantElapsed: 1, wantRecap: 2},
		{name: "second day, before the défi", t: at(time.March, 23, 7, 0), wantDay: 2, wantElapsed: 1, wantRecap: 2},
		{
			name: "late evening in UTC is the next day in Paris", t: time.Date(2027, time.March, 22, 23, 30, 0, 0, time.UTC),
			wantDay: 2, wantElapsed: 1, wantRecap: 2,
		},
		{name: "Saturday", t: at(time.March, 27, 10, 0), wantDay: 0, wantElapsed: 5, wantRecap: 6},
		{name: "Sunday of the clock change", t: at(time.March, 28, 12, 0), wantDay: 0, wantElapsed: 5, wantRecap: 6},
		{name: "Easter Monday", t: at(time.March, 29, 10, 0), wantDay: 0, wantElapsed: 5, wantRecap: 6},
		{name: "first day in summer time, before the défi", t: at(time.March, 30, 8, 0), wantDay: 6, wantElapsed: 5, wantRecap: 6},
		{name: "first day in summer time, at 08:00 UTC", t: time.Date(2027, time.March, 30, 8, 0, 0, 0, time.UTC), wantDay: 6, wantElapsed: 6, wantRecap: 6},
		{name: "last day, during", t: at(time.April, 12, 12, 0), wantDay: 15, wantElapsed: 15, wantRecap: 15},
		{name: "last day, after the last recap", t: at(time.April, 12, 18, 0), wantDay: 15, wantElapsed: 15, wantRecap: 15},
		{name: "after the end", t: at(time.May, 3, 10, 0), wantDay: 0, wantElapsed: 15, wantRecap: 15},
		{name: "same date a year later", t: time.Date(2028, time.March, 22, 10, 0, 0, 0, loc), wantDay: 0, wantElapsed: 15, wantRecap: 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, ok := cal.DayOf(tt.t)
			if ok != (tt.wantDay != 0) || day.N != tt.wantDay {
				t.Errorf("DayOf = day %d, %v; want day %d", day.N, ok, tt.wantDay)
			}
			if ok && !sameDate(day.Date, tt.t.In(loc)) {
				t.Errorf("DayOf gave %s for %s", day.Date.Format(time.DateOnly), tt.t.In(loc))
			}
			if got := cal.Elapsed(tt.t); got != tt.wantElapsed {
				t.Errorf("Elapsed = %d, want %d", got, tt.wantElapsed)
			}
			if got := cal.RecapDay(tt.t); got != tt.wantRecap {
				t.Errorf("RecapDay = %d, want %d", got, tt.wantRecap)
			}
		})
	}
}

func TestCalendarDefis(t *testing.T) {
	custom := []challenges.Defi{
		{ID: "a", Title: "A", Steps: []string{"a"}},
		{ID: "b", Title: "B", Steps: []string{"b"}},
	}
	builtin := challenges.BuiltinDefis("fr")
	ids := func(n int, catalog []challenges.Defi) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = catalog[i%len(catalog)].ID
		}
		return out
	}
	tests := []struct {
		name string
		days int
		edit func(cfg *challenges.Config)
		want []string
	}{
		{name: "built-in catalog, one a day", days: 15, want: ids(15, builtin)},
		{name: "built-in catalog cycles past 15 days", days: 20, want: append(ids(15, builtin), ids(5, builtin)...)},
		{name: "custom catalog cycles", days: 5, edit: func(cfg *challenges.Config) { cfg.Defis = custom }, want: []string{"a", "b", "a", "b", "a"}},
		{
			name: "custom catalog reordered", days: 3,
			edit: func(cfg *challenges.Config) { cfg.Defis, cfg.DefiOrder = custom, []string{"b"} },
			want: []string{"b", "a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := challenges.Default()
			cfg.Campaign.Start = "2027-03-22"
			cfg.Campaign.Days = tt.days
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			cal, err := challenges.NewCalendar(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(cal.Days))
			for i, d := range cal.Days {
				got[i] = d.Defi.ID
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("défis %v, want %v", got, tt.want)
			}
		})
	}
}
