package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
)

// still is a source whose board never moves; *bot.Bot is the real one.
type still struct{ board bot.Board }

func (s still) Board(context.Context) (bot.Board, error) { return s.board, nil }
func (s still) Bilan(context.Context) (bot.Bilan, error) { return bot.Bilan{Board: s.board}, nil }

// The dashboard plugs into the bot's HTTP server; Run keeps its live feed
// fresh, and the bot pokes it when a scan arrives.
func Example() {
	d, err := dashboard.New(dashboard.Options{Source: still{bot.Board{Campaign: "Giga Déstockage", DayLabel: "Jour 3 sur 15"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	api := httpapi.New(nil, nil, nil)
	d.Mount(api)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	d.Poke() // after a scan was recorded

	srv := httptest.NewServer(api)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	stop()
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Println(<-done)
	// Output:
	// 200 OK text/html; charset=utf-8
	// <nil>
}
