package scoring

import "time"

// Reaction is an agent's mark on a défi post.
type Reaction struct {
	Agent string
	Team  string
	Day   int
	// Post identifies the post reacted to: an agent may mark the same défi on
	// several posts, and the défi stays done until the last mark goes.
	Post string
	// At is when the reaction came.
	At time.Time
	// Late tells that the reaction waited (a store outage): it then
	// changes nothing when a reaction on the same mark came after it (two
	// replicas may write their waiting reactions out of order). A reaction
	// on time is written in the order it comes, whatever the replicas'
	// clocks.
	Late bool
	// Unless, when set, is the instant a list of the post's reactions
	// read from the platform stands for (after events were missed): the
	// mark then changes only if no reaction touched it at or after that
	// instant, so that an event counted since wins over the older list.
	Unless time.Time
}
