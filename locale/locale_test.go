package locale

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	fr, en := New("fr"), New("en")
	date := time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct{ name, got, want string }{
		{"fr bytes TB", fr.Bytes(1_700_000_000_000), "1,7\u00a0To"},
		{"fr bytes exact TB", fr.Bytes(1_000_000_000_000), "1\u00a0To"},
		{"fr bytes GB", fr.Bytes(4_200_000_000), "4,2\u00a0Go"},
		{"fr bytes hundreds", fr.Bytes(450_400_000_000), "450\u00a0Go"},
		{"fr bytes small", fr.Bytes(999), "999\u00a0o"},
		{"fr bytes just under a round figure", fr.Bytes(1_994_000_000_000), "1,99\u00a0To"},
		{"fr bytes just over a round figure", fr.Bytes(1_040_000_000_000), "1\u00a0To"},
		{"fr bytes negative, just under", fr.Bytes(-1_994_000_000_000), "-1,99\u00a0To"},
		{"fr bytes a hair from a round figure", fr.Bytes(9_997_000_000_000), "10\u00a0To"},
		{"fr bytes negative", fr.Bytes(-2_500_000_000), "-2,5\u00a0Go"},
		{"en bytes", en.Bytes(1_700_000_000_000), "1.7\u00a0TB"},
		{"fr int", fr.Int(6_500_000), "6\u202f500\u202f000"},
		{"fr int negative", fr.Int(-1234), "-1\u202f234"},
		{"en int", en.Int(6_500_000), "6,500,000"},
		{"fr decimal", fr.Decimal(0.34, 2), "0,34"},
		{"fr decimal trims zeros", fr.Decimal(2.50, 2), "2,5"},
		{"fr decimal big", fr.Decimal(12345.6, 1), "12\u202f345,6"},
		{"fr negative below one", fr.Decimal(-0.5, 1), "-0,5"},
		{"fr percent", fr.Percent(12.34), "12,3\u00a0%"},
		{"en percent", en.Percent(12.34), "12.3%"},
		{"fr date", fr.Date(date), "lundi 22 mars 2027"},
		{"en date", en.Date(date), "Monday 22 March 2027"},
		{"fr first of the month", fr.Date(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)), "jeudi 1er avril 2027"},
		{"fr first", fr.Ordinal(1), "1er"},
		{"fr second", fr.Ordinal(2), "2e"},
		{"en ordinals", en.Ordinal(1) + en.Ordinal(2) + en.Ordinal(3) + en.Ordinal(11) + en.Ordinal(22), "1st2nd3rd11th22nd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestTypography(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Astuce : ici", "Astuce\u00a0: ici"},
		{"*Astuce :* ici", "*Astuce\u00a0:* ici"},
		{"Bravo !", "Bravo\u202f!"},
		{"Prêts ?", "Prêts\u202f?"},
		{"a ; b", "a\u202f; b"},
		{"« défi »", "«\u00a0défi\u00a0»"},
		{"réagissez avec :white_check_mark: ici", "réagissez avec :white_check_mark: ici"},
		{"fin :", "fin\u00a0:"},
	}
	for _, tt := range tests {
		if got := Typography(tt.in); got != tt.want {
			t.Errorf("Typography(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBytesTick(t *testing.T) {
	fr, en := New("fr"), New("en")
	for _, tc := range []struct {
		l    Format
		v    float64
		want string
	}{
		{fr, 0, "0"}, {en, 0, "0"}, {fr, 5e11, "500\u00a0Go"}, {fr, 1.5e12, "1,5\u00a0To"}, {en, 1.5e12, "1.5\u00a0TB"},
	} {
		if got := tc.l.BytesTick(tc.v); got != tc.want {
			t.Errorf("%s BytesTick(%v) = %q, want %q", tc.l.Lang, tc.v, got, tc.want)
		}
	}
}
