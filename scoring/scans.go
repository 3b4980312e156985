package scoring

import "time"

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
	// ScanDuplicate: a scan with this id was already recorded.
	ScanDuplicate ScanStatus = "duplicate"
)

// ScanResult is the outcome of RecordScan.
type ScanResult struct {
	Status ScanStatus
	// TotalBefore and TotalAfter are the campaign's freed bytes around the change.
	TotalBefore, TotalAfter int64
}
