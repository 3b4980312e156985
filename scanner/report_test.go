package scanner

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// exampleReport is the design card's example report.
const exampleReport = `{ "scan_id": "0b6a3a0e-6a8f-4d1e-9d55-3c1f1f0c2a11", "team": "routes", "source": "share", "root": "/srv/partages/routes",
  "scanned_at": "2026-03-24T18:00:00+01:00",
  "files": 120431, "bytes": 98765432100,
  "duplicates": {"groups": 812, "files": 2301, "reclaimable_bytes": 4567890123},
  "stale": {"files": 30211, "bytes": 21000000000, "older_than_days": 1095},
  "badly_named": {"files": 412},
  "large": {"files": 57, "bytes": 9000000000, "threshold_bytes": 104857600},
  "empty": {"files": 33, "dirs": 120} }`

var reportNow = time.Date(2026, 3, 24, 17, 1, 0, 0, time.UTC)

func TestDecodeReport(t *testing.T) {
	r, err := DecodeReport([]byte(exampleReport), reportNow)
	if err != nil {
		t.Fatalf("the design card's example: %v", err)
	}
	if r.Files != 120431 || r.Duplicates.ReclaimableBytes != 4567890123 || r.Empty.Dirs != 120 || !r.ScannedAt.Equal(time.Date(2026, 3, 24, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", r)
	}
	tests := []struct {
		name, from, to, field string
	}{
		{"malformed JSON", `"files": 120431,`, `"files": 120431,,`, "body"},
		{"wrong type", `"files": 120431`, `"files": "many"`, "files"},
		{"wrong nested type", `"groups": 812`, `"groups": true`, "duplicates.groups"},
		{"bad time", `2026-03-24T18:00:00+01:00`, `24/03/2026`, "scanned_at"},
		{"in the future", `2026-03-24T18:00:00+01:00`, `2026-03-24T18:10:00+01:00`, "scanned_at"},
		{"negative bytes", `"bytes": 98765432100`, `"bytes": -1`, "bytes"},
		{"fractional files", `"files": 120431`, `"files": 1.5`, "files"},
		{"unknown source", `"source": "share"`, `"source": "cloud"`, "source"},
		{"no team", `"team": "routes"`, `"team": ""`, "team"},
		{"bad team", `"team": "routes"`, `"team": "Routes du Nord"`, "team"},
		{"no scan id", `"scan_id": "0b6a3a0e-6a8f-4d1e-9d55-3c1f1f0c2a11"`, `"scan_id": ""`, "scan_id"},
		{"one file per group", `"files": 2301`, `"files": 900`, "duplicates.files"},
		{"more duplicates than files", `"files": 120431`, `"files": 2000`, "duplicates.files"},
		{"reclaimable above bytes", `"reclaimable_bytes": 4567890123`, `"reclaimable_bytes": 98765432101`, "duplicates.reclaimable_bytes"},
		{"stale above bytes", `"bytes": 21000000000`, `"bytes": 99000000000`, "stale.bytes"},
		{"large files above files", `"files": 57`, `"files": 999999`, "large.files"},
		{"negative empty dirs", `"dirs": 120`, `"dirs": -3`, "empty.dirs"},
		{"overflow", `"files": 120431`, `"files": 99999999999999999999`, "files"},
		{"trailing data", `"dirs": 120} }`, `"dirs": 120} } {}`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(exampleReport, tt.from, tt.to, 1)
			if body == exampleReport {
				t.Fatalf("fixture: %q not found", tt.from)
			}
			_, err := DecodeReport([]byte(body), reportNow)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want a FieldError, got %v", err)
			}
			if fe.Field != tt.field {
				t.Errorf("field %q (%v), want %q", fe.Field, err, tt.field)
			}
		})
	}
	if _, err := DecodeReport(nil, reportNow); err == nil || !strings.Contains(err.Error(), "body") {
		t.Errorf("empty body: %v", err)
	}
}

func TestSignAndVerify(t *testing.T) {
	secret := []byte("0123456789abcdef-secret")
	body := []byte(`{"scan_id":"x"}`)
	// Computed independently: python3 hmac.new(secret, b"1774371600." + body, sha256).
	const want = "sha256=e7b09fc0d20c2988bbcde20e9906c2b4a4626caf51bd1a07c414eefb5bfd0c91"
	if got := Sign(secret, "1774371600", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	now := time.Unix(1774371600, 0)
	tests := []struct {
		name, ts, sig string
		secret        []byte
		body          string
		now           time.Time
		ok            bool
	}{
		{"valid", "1774371600", want, secret, string(body), now, true},
		{"4 minutes late", "1774371600", want, secret, string(body), now.Add(4 * time.Minute), true},
		{"6 minutes late", "1774371600", want, secret, string(body), now.Add(6 * time.Minute), false},
		{"6 minutes early", "1774371600", want, secret, string(body), now.Add(-6 * time.Minute), false},
		{"other body", "1774371600", want, secret, `{"scan_id":"y"}`, now, false},
		{"other secret", "1774371600", want, []byte("another-secret-of-16"), string(body), now, false},
		{"timestamp changed", "1774371601", want, secret, string(body), now, false},
		{"no timestamp", "", want, secret, string(body), now, false},
		{"no signature", "1774371600", "", secret, string(body), now, false},
		{"no prefix", "1774371600", strings.TrimPrefix(want, "sha256="), secret, string(body), now, false},
		{"not hex", "1774371600", "sha256=zz", secret, string(body), now, false},
		{"truncated", "1774371600", want[:len(want)-2], secret, string(body), now, false},
		{"no secret configured", "1774371600", want, nil, string(body), now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.ts, tt.sig, []byte(tt.body), tt.now)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadSignature) {
				t.Errorf("error %v does not wrap ErrBadSignature", err)
			}
		})
	}
}

func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(exampleReport))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"files": -1}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeReport(body, reportNow)
		if err == nil {
			if verr := r.Validate(reportNow); verr != nil {
				t.Fatalf("decoded a report that does not validate: %v", verr)
			}
		}
	})
}
