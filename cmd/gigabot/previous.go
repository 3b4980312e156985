package main

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// loadPrevious reads the previous edition that campaign.previous names,
// in the same Redis (nil without the key). One the Redis does not hold is
// an error naming the key, for check and for run alike: a typo would
// otherwise compare every figure with an edition that freed nothing.
func loadPrevious(ctx context.Context, rdb goredis.UniversalClient, cfg *challenges.Config) (*scoring.Edition, error) {
	id := cfg.Campaign.Previous
	if id == "" {
		return nil, nil
	}
	e, err := redis.NewStore(rdb, id).Edition(ctx)
	if errors.Is(err, redis.ErrNoCampaign) {
		return nil, fmt.Errorf("campaign.previous: this Redis holds no campaign %q (neither its name nor a figure): give the previous edition's campaign.id, or remove the key", id)
	}
	if err != nil {
		return nil, fmt.Errorf("campaign.previous: %w", err)
	}
	return &e, nil
}
