package main

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"
)

// TestWindowsTaskArguments keeps deploy/windows/gigascan-task.xml's example
// action a valid gigascan send, with the options the README promises.
func TestWindowsTaskArguments(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/windows/gigascan-task.xml")
	if err != nil {
		t.Fatal(err)
	}
	var task struct {
		Priority int `xml:"Settings>Priority"`
		Exec     []struct {
			Command   string `xml:"Command"`
			Arguments string `xml:"Arguments"`
		} `xml:"Actions>Exec"`
	}
	if err := xml.Unmarshal(raw, &task); err != nil {
		t.Fatal(err)
	}
	if len(task.Exec) != 1 || !strings.HasSuffix(task.Exec[0].Command, `\gigascan.exe`) || task.Priority != 7 {
		t.Fatalf("task %+v: want one gigascan.exe action at priority 7", task)
	}
	args := strings.Fields(task.Exec[0].Arguments)
	if len(args) == 0 || args[0] != "send" {
		t.Fatalf("arguments %q: want send …", args)
	}
	w := newWalkFlags("send", "")
	to := w.fs.String("to", "", "")
	secret := w.fs.String("secret-file", "", "")
	m, _, _ := newMain()
	if err := m.parseWalk(w, args[1:], true); err != nil {
		t.Fatalf("gigascan %s: %v", task.Exec[0].Arguments, err)
	}
	if *to == "" || *secret == "" || w.cacheDir == "" || !w.nice || !w.backup || w.maxReadRate == 0 || len(w.paths) != 1 {
		t.Errorf("gigascan %s: want --to, --secret-file, --cache, --nice, --backup, --max-read-rate and one path", task.Exec[0].Arguments)
	}
}
