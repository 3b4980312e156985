package scoring

// ClaimStatus is the answer to a claim on a post.
type ClaimStatus int

// The answers of ClaimPost.
const (
	// Claimed: the caller holds the post and must post it, then confirm or release.
	Claimed ClaimStatus = iota
	// AlreadySent: the post was sent before; do nothing.
	AlreadySent
	// Busy: another process holds the post right now.
	Busy
)

// claimScript takes a post's lease unless the post was sent or is leased.
