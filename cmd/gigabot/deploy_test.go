package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestComposeProxyProfile: Caddy runs only with --profile proxy, in front
// of a gigabot whose own port stays on 127.0.0.1; it takes its public
// address and certificate source from the shell or .env, never a secret of
// the env file, and without the address it stops saying what is missing.
func TestComposeProxyProfile(t *testing.T) {
	slackEnv := readFile(t, "testdata/compose/slack.env")
	t.Run("without the profile", func(t *testing.T) {
		p, err := composeProject(t, slackEnv)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.Services["caddy"]; ok {
			t.Error("caddy runs without --profile proxy")
		}
		if _, ok := p.DisabledServices["caddy"]; !ok {
			t.Error("no caddy service in the file")
		}
		checkBotOnLoopback(t, p)
	})
	for _, tt := range []struct {
		name, tls string
		env       []string
	}{
		{"the intranet's CA", "files", []string{"GIGABOT_PUBLIC_URL=https://gigabot.intranet.example"}},
		{"ACME", "acme", []string{"GIGABOT_PUBLIC_URL=https://gigabot.intranet.example", "GIGABOT_TLS=acme"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := composeProject(t, slackEnv, cli.WithProfiles([]string{"proxy"}), cli.WithEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			checkBotOnLoopback(t, p)
			caddy, ok := p.Services["caddy"]
			if !ok {
				t.Fatal("no caddy with --profile proxy")
			}
			want := map[string]string{"GIGABOT_PUBLIC_URL": "https://gigabot.intranet.example", "GIGABOT_TLS": tt.tls}
			for k, v := range caddy.Environment {
				if v == nil || want[k] != *v {
					t.Errorf("caddy's environment: %s=%v (only %v)", k, v, want)
				}
			}
			if len(caddy.Environment) != len(want) || len(caddy.EnvFiles) != 0 {
				t.Errorf("caddy's environment %v, env files %v: want %v alone", caddy.Environment, caddy.EnvFiles, want)
			}
			var published []string
			for _, port := range caddy.Ports {
				published = append(published, fmt.Sprintf("%s:%s->%d", port.HostIP, port.Published, port.Target))
			}
			slices.Sort(published)
			if !slices.Equal(published, []string{":443->443", ":80->80"}) {
				t.Errorf("caddy publishes %q, want 80 and 443 on every address", published)
			}
			mounts := map[string]types.ServiceVolumeConfig{}
			for _, v := range caddy.Volumes {
				mounts[v.Target] = v
			}
			for target, source := range map[string]string{"/etc/caddy/Caddyfile": "deploy/Caddyfile", "/etc/caddy/tls": "deploy/tls"} {
				if m, ok := mounts[target]; !ok || !strings.HasSuffix(m.Source, source) || !m.ReadOnly {
					t.Errorf("%s: mount %+v, want %s read-only", target, m, source)
				}
			}
			checkCaddyCommand(t, caddy.Command)
		})
	}
}

// checkBotOnLoopback checks that gigabot's port is published on 127.0.0.1
// only: the proxy is the way in.
func checkBotOnLoopback(t *testing.T, p *types.Project) {
	t.Helper()
	svc, err := p.GetService("gigabot")
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range svc.Ports {
		if port.HostIP != "127.0.0.1" {
			t.Errorf("gigabot publishes port %s on %q, want 127.0.0.1", port.Published, port.HostIP)
		}
	}
}

// checkCaddyCommand runs the caddy service's command with a stand-in caddy
// on PATH: without GIGABOT_PUBLIC_URL it stops and names the variable;
// with it, it runs Caddy on the mounted Caddyfile.
func checkCaddyCommand(t *testing.T, command types.ShellCommand) {
	t.Helper()
	if len(command) < 3 || command[0] != "sh" || command[1] != "-c" {
		t.Fatalf("caddy's command %q: want sh -c SCRIPT (the image's shell checks the address first)", command)
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "caddy"), []byte("#!/bin/sh\necho \"caddy $*\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(url string) (string, error) {
		cmd := exec.Command("sh", command[1:]...)
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "GIGABOT_PUBLIC_URL=" + url}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(""); err == nil || !strings.Contains(out, "set GIGABOT_PUBLIC_URL") {
		t.Errorf("without GIGABOT_PUBLIC_URL: %v, %q", err, out)
	}
	if out, err := run("https://gigabot.intranet.example"); err != nil || out != "caddy run --config /etc/caddy/Caddyfile --adapter caddyfile\n" {
		t.Errorf("with GIGABOT_PUBLIC_URL: %v, %q", err, out)
	}
}

// imageRefs returns the images of the Dockerfile (FROM) and of the compose
// file (image:) under dir.
func imageRefs(t *testing.T, dir string) []string {
	t.Helper()
	var refs []string
	for file, re := range map[string]*regexp.Regexp{
		"Dockerfile":         regexp.MustCompile(`(?m)^FROM\s+(\S+)`),
		"docker-compose.yml": regexp.MustCompile(`(?m)^\s*image:\s*(\S+)`),
	} {
		for _, m := range re.FindAllStringSubmatch(readFile(t, filepath.Join(dir, file)), -1) {
			refs = append(refs, m[1])
		}
	}
	slices.Sort(refs)
	return refs
}

// digestPinned is name:tag@sha256:<64 hex digits>.
var digestPinned = regexp.MustCompile(`^[^@\s]+:[^@:\s]+@sha256:[0-9a-f]{64}$`)

// TestImagesPinned: every image is pinned by digest, or by an exact
// version tag until deploy/pin-images.sh has asked the registry for the
// digests. The distroless base has no version tags: only a digest pins it.
func TestImagesPinned(t *testing.T) {
	version := regexp.MustCompile(`^[^@\s]+:\d+\.\d+\.\d+(-[a-z0-9.]+)?$`)
	refs := imageRefs(t, "../..")
	if len(refs) != 4 {
		t.Errorf("images %q: want golang, distroless, redis and caddy", refs)
	}
	for _, ref := range refs {
		switch {
		case digestPinned.MatchString(ref), version.MatchString(ref):
		case ref == "gcr.io/distroless/static-debian12:nonroot":
			t.Logf("%s: a rolling tag, pinned only once deploy/pin-images.sh has run", ref)
		default:
			t.Errorf("image %s: pin it to an exact version (name:1.2.3) or a digest (deploy/pin-images.sh)", ref)
		}
	}
}

// TestPinImages runs deploy/pin-images.sh on a copy of the Dockerfile and
// the compose file, with a stand-in crane: every image gets the digest the
// registry gives for its tag, again when run twice; when one digest cannot
// be had, no file changes.
func TestPinImages(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	for _, name := range []string{"Dockerfile", "docker-compose.yml"} {
		writeFiles(t, dir, map[string]string{name: readFile(t, filepath.Join("../..", name))})
	}
	// docker without buildx; crane answers the sha256 of the image's name,
	// or fails for a name in $FAIL.
	writeFiles(t, bin, map[string]string{
		"docker": "#!/bin/sh\nexit 1\n",
		"crane":  "#!/bin/sh\n[ \"$2\" = \"$FAIL\" ] && { echo 'MANIFEST_UNKNOWN' >&2; exit 1; }\nprintf 'sha256:%s\\n' \"$(printf %s \"$2\" | sha256sum | cut -c1-64)\"\n",
	})
	for _, name := range []string{"docker", "crane"} {
		if err := os.Chmod(filepath.Join(bin, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	before := imageRefs(t, dir)
	run := func(fail string) (string, error) {
		cmd := exec.Command("sh", "../../deploy/pin-images.sh", dir)
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "FAIL=" + fail}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("redis:7.4.8-alpine"); err == nil || !strings.Contains(out, "cannot resolve redis:7.4.8-alpine") {
		t.Errorf("a digest missing: %v\n%s", err, out)
	}
	if after := imageRefs(t, dir); !slices.Equal(after, before) {
		t.Errorf("a failed run changed the images: %q", after)
	}
	for range 2 {
		if out, err := run(""); err != nil {
			t.Fatalf("pin-images.sh: %v\n%s", err, out)
		}
		after := imageRefs(t, dir)
		for i, ref := range after {
			tag, _, _ := strings.Cut(before[i], "@")
			sum := sha256.Sum256([]byte(tag))
			if ref != tag+"@sha256:"+hex.EncodeToString(sum[:]) || !digestPinned.MatchString(ref) {
				t.Errorf("%s pinned as %s", before[i], ref)
			}
		}
	}
}

// TestProxyKeyStaysOut: the proxy's private key (deploy/tls) stays out of
// git and out of the image's build context, as the env file does.
func TestProxyKeyStaysOut(t *testing.T) {
	for file, line := range map[string]string{"../../.dockerignore": "deploy/tls", "../../.gitignore": "/deploy/tls/"} {
		if !slices.Contains(strings.Split(readFile(t, file), "\n"), line) {
			t.Errorf("%s does not list %s", file, line)
		}
	}
}
