// Package console is the chat platform of the terminal: one event per line
// on its input, one line per bot post on its output. The demo, local runs
// and end-to-end tests speak it.
//
// Input lines:
//
//	alice: classement                    a message from alice in the default channel
//	alice@equipe-routes: classement      the same in channel equipe-routes
//	alice +white_check_mark P12          alice adds a reaction to post P12
//	alice -white_check_mark P12          alice removes it
//
// Output lines: "[#channel] P12 text", newlines in the text shown as " ⏎ ",
// then one line per attached file, "[pièce jointe : name — description]":
// the file's description stands for it, its bytes are not shown.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gigabot/gigabot/bot"
)

// Handler receives the events read from the input. *bot.Bot fits.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) error
}

// Console is the console chat platform.
type Console struct {
	mu      sync.Mutex
	out     io.Writer
	channel string
	next    func(context.Context) (int64, error)
	local   int64
}

var _ bot.Chat = (*Console)(nil)

// Options configure a Console.
type Options struct {
	// DefaultChannel is where messages without "@channel" are posted.
	DefaultChannel string
	// NextID numbers posts; it must keep counting across restarts when
	// post ids outlive the process (they do in Redis). Nil counts from 1.
	NextID func(context.Context) (int64, error)
}

// New returns a console that writes posts to out.
func New(out io.Writer, o Options) *Console {
	if o.DefaultChannel == "" {
		o.DefaultChannel = "general"
	}
	return &Console{out: out, channel: o.DefaultChannel, next: o.NextID}
}

// Post prints a post and returns its id ("P12").
func (c *Console) Post(ctx context.Context, channel string, msg bot.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	if c.next != nil {
		var err error
		if n, err = c.next(ctx); err != nil {
			return "", fmt.Errorf("console: number post: %w", err)
		}
	} else {
		c.local++
		n = c.local
	}
	id := "P" + strconv.FormatInt(n, 10)
	var b strings.Builder
	// A direct message to a user ("@alice") prints as [@alice].
	target := "#" + channel
	if strings.HasPrefix(channel, "@") {
		target = channel
	}
	fmt.Fprintf(&b, "[%s] %s %s\n", target, id, oneLine(msg.Text))
	for _, f := range msg.Files {
		b.WriteString(attachmentLine(f))
	}
	if _, err := io.WriteString(c.out, b.String()); err != nil {
		return "", fmt.Errorf("console: write post: %w", err)
	}
	return id, nil
}

// attachmentLine stands for a file: its name and description, in French
// like the console's other words (it has no locale).
func attachmentLine(f bot.File) string {
	if f.Alt == "" {
		return "[pièce jointe\u00a0: " + oneLine(f.Name) + "]\n"
	}
	return "[pièce jointe\u00a0: " + oneLine(f.Name) + " — " + oneLine(f.Alt) + "]\n"
}

// oneLine shows newlines as " ⏎ ", so that a post stays on its line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", " ⏎ ")
}

var (
	reactionLine = regexp.MustCompile(`^([^\s:@]+)\s+([+-])(\S+)\s+(P\d+)$`)
	messageLine  = regexp.MustCompile(`^([^\s:@]+)(?:@([^\s:]+))?:\s*(.*)$`)
)

// Parse reads one input line as an event of the given default channel.
func Parse(line, defaultChannel string) (bot.Event, error) {
	line = strings.TrimSpace(line)
	if m := reactionLine.FindStringSubmatch(line); m != nil {
		kind := bot.ReactionAdded
		if m[2] == "-" {
			kind = bot.ReactionRemoved
		}
		return bot.Event{Kind: kind, User: m[1], Channel: defaultChannel, Reaction: m[3], PostID: m[4]}, nil
	}
	if m := messageLine.FindStringSubmatch(line); m != nil {
		channel := defaultChannel
		if m[2] != "" {
			channel = m[2]
		}
		return bot.Event{Kind: bot.MessageReceived, User: m[1], Channel: channel, Text: m[3]}, nil
	}
	return bot.Event{}, fmt.Errorf("cannot read %q: expected \"user: text\", \"user@channel: text\" or \"user +emoji P12\"", line)
}

// maxLine is the longest input line the console reads. A longer line is
// skipped with a warning, and the lines after it are read as usual.
const maxLine = 1 << 20

// line is one line of input, or the note that a line was too long.
type line struct {
	text    string
	tooLong bool
}

// Run reads events from in until it ends or ctx is done, and hands them to
// h. A line it cannot read, or longer than 1 MiB, is reported on errs and
// skipped.
func (c *Console) Run(ctx context.Context, in io.Reader, h Handler, errs io.Writer) error {
	lines := make(chan line)
	readErr := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(in, 64*1024)
		for {
			l, err := readLine(r)
			if err != nil {
				readErr <- err
				close(lines)
				return
			}
			select {
			case lines <- l:
			case <-ctx.Done():
				return
			}
		}
	}()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case l, ok := <-lines:
			if !ok {
				if err := <-readErr; !errors.Is(err, io.EOF) {
					return fmt.Errorf("console: read input: %w", err)
				}
				return nil
			}
			if l.tooLong {
				fmt.Fprintf(errs, "line %d: longer than 1 MiB: skipped\n", n)
				continue
			}
			if strings.TrimSpace(l.text) == "" || strings.HasPrefix(strings.TrimSpace(l.text), "#") {
				continue
			}
			ev, err := Parse(l.text, c.channel)
			if err != nil {
				fmt.Fprintf(errs, "line %d: %v\n", n, err)
				continue
			}
			if err := h.Handle(ctx, ev); err != nil {
				fmt.Fprintf(errs, "line %d: %v\n", n, err)
			}
		}
	}
}

// readLine reads one line without its end ("\n" or "\r\n"). A line longer
// than maxLine is read to its end and dropped, never held whole in memory.
// The last line may lack its "\n"; after it, the error is io.EOF.
func readLine(r *bufio.Reader) (line, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > maxLine+2 { // room for the "\r\n"
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && (len(buf) > 0 || tooLong) && errors.Is(err, io.EOF):
			// The last line, without its "\n": the next call says EOF.
		case err != nil:
			return line{}, err
		}
		if tooLong {
			return line{tooLong: true}, nil
		}
		text := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		if len(text) > maxLine {
			return line{tooLong: true}, nil
		}
		return line{text: text}, nil
	}
}
