// Command sseload opens many live dashboard pages at once (the Server-Sent
// Events feed at /api/v1/live) and measures how a new board reaches them:
// how long after the first page the last one has it, and how many pages
// got it. Run it against a bot whose board keeps changing, such as the
// demo:
//
//	go run ./cmd/gigabot demo --day-duration 3s --http 127.0.0.1:8080 &
//	go run ./scripts/sseload -url http://127.0.0.1:8080 -pages 3000 -boards 5
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the bot's HTTP address")
	pages := flag.Int("pages", 3000, "live pages to open")
	boards := flag.Int("boards", 5, "new boards to wait for after every page is connected")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	if *pages < 1 || *boards < 1 {
		fmt.Fprintln(os.Stderr, "sseload: -pages and -boards must be at least 1")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *url+"/api/v1/live", *pages, *boards); err != nil {
		fmt.Fprintln(os.Stderr, "sseload:", err)
		os.Exit(1)
	}
}

// arrival is one page receiving one board, identified by its updated_at.
type arrival struct {
	board string
	at    time.Time
}

func run(ctx context.Context, url string, pages, boards int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: pages, MaxConnsPerHost: 0}}
	arrivals := make(chan arrival, pages*4)
	connected := make(chan struct{}, pages)
	var wg sync.WaitGroup
	var failMu sync.Mutex
	var failures []error
	start := time.Now()
	for range pages {
		wg.Go(func() {
			if err := follow(ctx, client, url, connected, arrivals); err != nil && !errors.Is(err, context.Canceled) {
				failMu.Lock()
				failures = append(failures, err)
				failMu.Unlock()
			}
		})
	}
	for n := 0; n < pages; n++ {
		select {
		case <-connected:
		case <-ctx.Done():
			failMu.Lock()
			defer failMu.Unlock()
			return fmt.Errorf("only %d of %d pages got their first board (%d failed, first: %v)", n, pages, len(failures), first(failures))
		}
	}
	fmt.Printf("%d pages connected and got their first board in %s\n", pages, time.Since(start).Round(time.Millisecond))

	// Boards that appear from now on: when each page got them. The first
	// one seen may have reached some pages before they were all connected:
	// it is left out.
	got := map[string][]time.Time{}
	var order []string
	complete := func() int {
		n := 0
		for _, b := range order[min(1, len(order)):] {
			if len(got[b]) == pages {
				n++
			}
		}
		return n
	}
	failed := func() int {
		failMu.Lock()
		defer failMu.Unlock()
		return len(failures)
	}
	for complete() < boards {
		select {
		case a := <-arrivals:
			if _, seen := got[a.board]; !seen {
				order = append(order, a.board)
			}
			got[a.board] = append(got[a.board], a.at)
		case <-ctx.Done():
			if len(order) < 2 {
				return errors.New("timed out: no new board arrived (is the board changing?)")
			}
			fmt.Println("timed out: reporting the boards seen")
			return report(order[1:], got, pages, failed())
		}
	}
	return report(order[1:], got, pages, failed())
}

// report prints, for each board, how many pages got it and how long after
// the first page the last one did.
func report(order []string, got map[string][]time.Time, pages, failed int) error {
	var spreads []time.Duration
	for _, b := range order {
		times := got[b]
		slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
		spread := times[len(times)-1].Sub(times[0])
		spreads = append(spreads, spread)
		fmt.Printf("board %s: %d of %d pages, the last %s after the first\n", b, len(times), pages, spread.Round(time.Microsecond))
	}
	slices.Sort(spreads)
	fmt.Printf("median spread %s, worst %s, failed pages %d\n",
		spreads[len(spreads)/2].Round(time.Microsecond), spreads[len(spreads)-1].Round(time.Microsecond), failed)
	return nil
}

// follow reads one page's live feed and reports every board it receives.
func follow(ctx context.Context, client *http.Client, url string, connected chan<- struct{}, arrivals chan<- arrival) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	firstBoard := true
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		now := time.Now()
		if firstBoard {
			firstBoard = false
			connected <- struct{}{}
			continue
		}
		// updated_at names the board without decoding all of it.
		i := strings.Index(data, `"updated_at":"`)
		if i < 0 {
			continue
		}
		rest := data[i+len(`"updated_at":"`):]
		id, _, _ := strings.Cut(rest, `"`)
		select {
		case arrivals <- arrival{board: id, at: now}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return sc.Err()
}

func first(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}
