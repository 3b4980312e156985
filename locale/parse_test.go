package locale

import (
	"strings"
	"testing"
)

// 4,1 × 10^6 is 4099999.9999999995 in float64: sizes are rounded, not truncated.

func TestParseBytes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr string
	}{
		{name: "gigabytes in French", in: "100 Go", want: 100_000_000_000},
		{name: "decimal comma", in: "0,5 To", want: 500_000_000_000},
		{name: "decimal point, no space, English unit", in: "1.7TB", want: 1_700_000_000_000},
		{name: "English gigabytes", in: "250 GB", want: 250_000_000_000},
		{name: "plain integer", in: "42", want: 42},
		{name: "octets", in: "7 o", want: 7},
		{name: "bytes", in: "7 B", want: 7},
		{name: "kilo", in: "3 Ko", want: 3_000},
		{name: "kilo English lower case", in: "3 kb", want: 3_000},
		{name: "mega", in: "5 Mo", want: 5_000_000},
		{name: "unit case is ignored", in: "2 gO", want: 2_000_000_000},
		{name: "surrounding spaces", in: "  12 Go  ", want: 12_000_000_000},
		{name: "no-break space", in: "1,7\u00a0To", want: 1_700_000_000_000},
		{name: "zero", in: "0 Go", want: 0},
		{name: "largest accepted", in: "9000000 To", want: 9_000_000_000_000_000_000},
		{name: "unknown unit", in: "100 Zo", wantErr: "Zo"},
		{name: "binary unit", in: "1 GiB", wantErr: "GiB"},
		{name: "empty", in: "", wantErr: "not a size"},
		{name: "only spaces", in: "   ", wantErr: "not a size"},
		{name: "letters", in: "abc", wantErr: "not a size"},
		{name: "negative", in: "-5 Go", wantErr: "not a size"},
		{name: "two separators", in: "1,5,3 Go", wantErr: "not a size"},
		{name: "thousands separator", in: "1 000 Go", wantErr: "not a size"},
		{name: "exponent", in: "1e3 Go", wantErr: "not a size"},
		{name: "unit first", in: "Go 100", wantErr: "not a size"},
		{name: "huge value", in: "10000000 To", wantErr: "not a size"},
		{name: "huge plain integer", in: "99999999999999999999", wantErr: "not a size"},
		{name: "decimal that binary floating point cannot hold", in: "4,1 Mo", want: 4_100_000},
		{name: "hundredths of a gigabyte", in: "2,01 Go", want: 2_010_000_000},
		{name: "hundredths of a kilobyte", in: "2,01 Ko", want: 2_010},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBytes(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseBytes(%q) = %d, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}
