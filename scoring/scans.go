package scoring

import (
	"errors"
	"time"
)

// Scan is what a scan of one root of one team measured.
type Scan struct {
	ID        string    `json:"scan_id"`
	Team      string    `json:"team"`
	Source    string    `json:"source"`
	Root      string    `json:"root"`
	ScannedAt time.Time `json:"scanned_at"`
	Files     int64     `json:"files"`
	Bytes     int64     `json:"bytes"`
	// Advice figures: what is left to clean.
	DuplicateBytes int64 `json:"duplicate_bytes"`
	StaleBytes     int64 `json:"stale_bytes"`
	LargeBytes     int64 `json:"large_bytes"`
}

// ScanStatus tells what recording a scan did.
type ScanStatus string

// The outcomes of RecordScan.
const (
	// ScanAccepted: the scan changed the root's baseline or latest figure.
	ScanAccepted ScanStatus = "accepted"
	// ScanStale: the scan is older than what is held and changed nothing.
	ScanStale ScanStatus = "stale"
	// ScanDuplicate: a scan with this id was already recorded (or a held
	// one was rejected).
	ScanDuplicate ScanStatus = "duplicate"
	// ScanHeld: the scan looks implausible (RootState.Implausible) and
	// waits for a coordinator; it changed nothing.
	ScanHeld ScanStatus = "held"
)

// ScanResult is the outcome of RecordScan.
type ScanResult struct {
	Status ScanStatus
	// Reason says why a held scan was held ("drop", "zero_files").
	Reason string
}

// ScanRules are what recording a scan needs to know of the campaign.
type ScanRules struct {
	// Start is the campaign's first instant: a report before it may be the
	// pre-campaign baseline.
	Start time.Time
	// HoldDrop is the share of a root's baseline that one report may cut
	// before it is held (0.5: 50 %).
	HoldDrop float64
	// Now is when the report arrives (or is decided).
	Now time.Time
}

// ErrNotHeld is returned when deciding on a scan id that is not held
// (decided already, or unknown).
var ErrNotHeld = errors.New("no held scan with this id")

// HeldScan is a held report and why it was held.
type HeldScan struct {
	Scan
	Reason string    `json:"reason"`
	HeldAt time.Time `json:"held_at"`
	// Before is the root's latest size when the report arrived.
	Before int64 `json:"before"`
}
