package scoring

// Erasure says what erasing personal data changed: names replaced by
// pseudonyms in the store and its log, never a figure.
type Erasure struct {
	// Pseudonym replaced the name of the one person erased (empty for the
	// erasure of a whole campaign, one pseudonym a person).
	Pseudonym string `json:"pseudonym,omitempty"`
	// People is how many names were replaced.
	People int `json:"people"`
	// Keys counts the keys and fields moved or deleted, and the correction
	// records renamed; Log the log entries rewritten.
	Keys int `json:"keys"`
	Log  int `json:"log"`
}
